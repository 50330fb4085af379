# Mon compte : coordonnées, sécurité, applications, sessions, changement de mot de passe ; page d'accueil.

## Page d'accueil
home-title = Bienvenue
home-heading = Bienvenue sur Tessera
home-lead = Le seul endroit où vous êtes identifié, connecté avec un second facteur fort, et où vous recevez l'accès aux applications avec lesquelles vous travaillez.
home-no-operator = Cette installation n'a pas encore d'opérateur
home-setup-before = Ouvrez le lien de configuration à usage unique que Tessera a affiché sur la console du serveur au démarrage, ou exécutez
home-setup-after = sur le serveur.

## Mon compte
account-title = Mon compte
account-details = Les coordonnées de mon compte
account-first-name = Prénom
account-last-name = Nom
account-email-language = Langue des e-mails
account-signed-in-with = Connecté avec
account-signed-in-with-value = { $methods } (niveau de garantie { $assurance })
account-password-changed = Votre mot de passe a été modifié. Vos autres sessions ont été fermées.
account-security = Sécurité
account-security-link = Sécurité : numéros de téléphone, applications d'authentification, clés de sécurité
account-apps-hint = {" "}: les applications que vous pouvez ouvrir
account-sessions = Sessions
account-display-sessions = Afficher mes sessions
account-display-activity = Afficher mon activité
account-administration = Administration
account-admin-users = Utilisateurs
account-admin-levels = Niveaux de l'organisation
account-admin-administrators = Administrateurs
account-admin-applications = Applications
account-admin-audit = Journal d'audit
account-admin-outbox = Messages (boîte d'envoi)
account-sign-out = Se déconnecter
account-back = Retour à Mon compte
account-confirm = Confirmer
account-cancel = Annuler

## Méthodes de connexion d'une session
used-method-password = mot de passe
used-method-sms = SMS
used-method-voice = appel vocal
used-method-authenticator_app = application d'authentification
used-method-security_key = clé de sécurité
used-method-passkey = clé d'accès
assurance-low = faible
assurance-medium = moyen
assurance-high = élevé

## Sécurité
security-title = Sécurité
security-phones = Numéros de téléphone mobile
security-no-phone = Aucun numéro de téléphone pour l'instant.
security-number = Numéro
security-use = Utilisation
security-actions = Actions
security-default = Par défaut
security-make-default = Définir par défaut
security-delete = Supprimer
security-remove = Retirer
security-add-phone = Ajouter un numéro de téléphone mobile
security-add-phone-hint = Format international, par exemple +33 6 12 34 56 78. Nous envoyons un SMS avec un code pour le confirmer.
security-send-code = Envoyer le code
security-apps = Applications d'authentification
security-no-app = Aucune application d'authentification pour l'instant.
security-add-app = Ajouter une application d'authentification : son nom
security-add-app-hint = Par exemple « Téléphone » ou « Tablette pro ».
security-add-app-button = Ajouter l'application
security-keys = Clés de sécurité et clés d'accès
security-no-key = Aucune clé de sécurité pour l'instant.
security-add-key = Ajouter une clé de sécurité ou une clé d'accès
security-keys-host-name = Les clés de sécurité fonctionnent quand Tessera est joint par son nom d'hôte.
security-default-method = Méthode de vérification par défaut
security-default-legend = La connexion propose d'abord cette méthode
security-save-default = Enregistrer
security-phone-code-gone = Ce code ne fonctionne plus (il a expiré, ou a été saisi faux trop de fois). Ajoutez de nouveau le numéro pour recevoir un nouveau code.
security-done-phone-added = Le numéro de téléphone a été confirmé et ajouté.
security-done-phone-removed = Le numéro de téléphone a été supprimé.
security-done-phone-default = Les codes sont désormais envoyés d'abord à ce numéro.
security-done-app-added = L'application d'authentification a été ajoutée.
security-done-app-removed = L'application d'authentification a été retirée.
security-done-key-added = Une clé de sécurité a été ajoutée.
security-done-key-removed = La clé de sécurité a été retirée.
security-done-default = Votre méthode de vérification par défaut a été enregistrée.

## Confirmer un numéro de téléphone
phone-confirm-title = Confirmer le numéro de téléphone
phone-confirm-heading = Confirmez votre numéro de téléphone
phone-confirm-sent = Nous avons envoyé un SMS avec un code au
phone-confirm-code = Code reçu par SMS
phone-confirm-code-hint = Huit lettres et chiffres, sous la forme XXXX-XXXX. Le code expire au bout de trois minutes.

## Ajouter une clé de sécurité
key-new-title = Ajouter une clé de sécurité
key-new-heading = Ajouter une clé de sécurité ou une plateforme de confiance
key-new-intro = Donnez un nom à la clé, puis suivez votre navigateur : touchez la clé quand elle clignote, ou confirmez avec le verrouillage d'écran de cet appareil pour y garder une clé d'accès.
key-new-needs-javascript = L'ajout d'une clé de sécurité nécessite JavaScript.
key-new-name = Nom de la clé
key-new-name-hint = Par exemple « Clé bleue » ou « Ordinateur portable ».
key-new-add = Ajouter la clé

## Ajouter une application d'authentification
app-new-title = Ajouter une application d'authentification
app-new-heading = Ajouter l'application d'authentification « { $name } »
app-new-scan = Dans votre application d'authentification, ajoutez un compte et scannez ce code QR.
app-new-type = Saisissez les six chiffres que l'application affiche pour Tessera.
app-new-qr = Code QR à scanner avec votre application d'authentification
app-new-no-camera = Pas d'appareil photo ? Saisissez plutôt cette clé dans l'application (basée sur le temps) :
app-new-code = Code affiché par l'application

## Mes sessions
sessions-title = Mes sessions
sessions-intro = Les endroits où vous êtes connecté en ce moment. Si vous n'en reconnaissez pas une, fermez-la et changez votre mot de passe.
sessions-caption = Sessions ouvertes
sessions-device = Navigateur et appareil
sessions-address = Adresse
sessions-started = Début
sessions-last-used = Dernière utilisation
sessions-applications = Applications utilisées
sessions-action = Action
sessions-this-browser = (ce navigateur)
sessions-browser-on = { $browser } sous { $system }
sessions-a-browser-on = Un navigateur sous { $system }
sessions-unknown-device = Appareil inconnu
sessions-unknown-address = inconnue
sessions-no-applications = aucune pour l'instant

## Mes applications
apps-title = Mes applications
apps-none = Vous n'avez pas encore d'application. L'administrateur des accès de votre organisation peut vous en donner l'accès.
environment-production = Production
environment-pre_production = Préproduction

## Changer le mot de passe
password-title = Changer le mot de passe
password-submit = Changer le mot de passe
password-current = Mot de passe actuel
password-new = Nouveau mot de passe
password-confirm = Confirmer le nouveau mot de passe
password-rules = Au moins { $min } caractères d'au moins trois de ces groupes : majuscules, minuscules, chiffres, caractères spéciaux (l'espace compte). Ni votre nom ni votre adresse e-mail.
