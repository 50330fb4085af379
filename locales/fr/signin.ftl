# Connexion : le mot de passe, la deuxième étape, « Lost your password? ».

## Mot de passe
signin-as = Connexion en tant que
signin-change-email = Se connecter avec une autre adresse e-mail
signin-failed = La connexion n'a pas abouti
signin-password = Mot de passe
signin-lost-password = Mot de passe oublié ?
signin-submit = Se connecter
signin-password-reset-done = Votre mot de passe a été modifié. Connectez-vous avec votre nouveau mot de passe.

## Deuxième étape
code-title = Connexion sécurisée
code-heading-sms = Connexion sécurisée par SMS
code-heading-voice = Connexion sécurisée par appel vocal
code-heading-app = Connexion sécurisée avec une application d'authentification
code-step-up = Une vérification plus forte de votre identité est nécessaire. Vous restez connecté.
code-sent-to = Un code de vérification est envoyé à ce numéro de téléphone :
code-open-app = Ouvrez votre application d'authentification et cherchez Tessera.
code-enter-received = Saisissez le code que vous avez reçu
code-enter-app = Saisissez le code affiché par votre application
code-six-digits = Six chiffres.
code-expires = Le code expire au bout de trois minutes.
code-login = Se connecter
code-resend-voice = Renvoyer le code par appel vocal
code-resend-sms = Renvoyer le code par SMS
key-heading = S'authentifier avec une clé de sécurité ou une plateforme de confiance
key-instructions = Branchez votre clé de sécurité et touchez-la quand elle clignote, ou utilisez le verrouillage d'écran de cet appareil quand le navigateur le demande.
key-needs-javascript = Les clés de sécurité nécessitent JavaScript. Activez-le, ou essayez une autre méthode.
key-use = Utiliser ma clé de sécurité

## « Try another way »
another-way = Essayer une autre méthode
another-way-choose = Choisissez comment confirmer votre identité :
another-way-none = Votre compte n'a pas d'autre méthode de vérification. Vous pouvez ajouter des applications d'authentification, des clés de sécurité et d'autres numéros de téléphone dans Mon compte.
another-way-restart = Recommencer avec une autre adresse e-mail

## Méthodes de vérification
method-sms = SMS
method-sms-to = SMS au { $phone }
method-voice = Appel vocal
method-voice-to = Appel vocal au { $phone }
method-authenticator_app = Application d'authentification
method-security_key = Clé de sécurité ou clé d'accès

## Mot de passe oublié
reset-title = Mot de passe oublié ?
reset-intro = Saisissez l'adresse e-mail avec laquelle vous vous connectez. Nous vous enverrons un lien pour choisir un nouveau mot de passe.
reset-send = Envoyer le lien
reset-sent-heading = Consultez votre messagerie
reset-sent-before = Si un compte existe pour
reset-sent-after = , nous lui avons envoyé un lien pour choisir un nouveau mot de passe. Le lien fonctionne une seule fois, pendant une heure.
reset-back = Retour à la connexion
reset-new-title = Nouveau mot de passe
reset-new-heading = Choisissez un nouveau mot de passe
reset-new-for = Pour
reset-new-sessions = Toutes les sessions de ce compte seront fermées.
reset-submit = Valider

## Clés de sécurité et clés d'accès dans le navigateur
webauthn-cancelled = La clé de sécurité n'a pas répondu, ou la demande a été annulée. Réessayez.
webauthn-failed = Une erreur s'est produite. Réessayez.
webauthn-unsupported = Ce navigateur ne peut pas utiliser de clés de sécurité ni de clés d'accès.
