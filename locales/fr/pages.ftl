# Textes des pages en français.

language-name = Français
language-menu = Langue
skip-to-content = Aller au contenu
tagline = Portail d'identité
footer = Portail d'identité Tessera
error-summary = Veuillez corriger ce qui suit

## Connexion
signin-title = Connexion
signin-heading = Connectez-vous pour continuer
signin-email = Adresse e-mail
signin-email-placeholder = Saisissez votre adresse e-mail
signin-create-account = Créer un compte
signin-next = Suivant >
signin-passkey = Se connecter avec une clé d'accès

## Erreurs par champ et par code
error-email-invalid = Saisissez une adresse e-mail telle que nom@exemple.org.
error-email-required = Saisissez votre adresse e-mail.
error-required = Ce champ est obligatoire.
