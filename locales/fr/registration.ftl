# « Créer un compte » (inscription libre), le lien envoyé par e-mail, la déclaration de
# confidentialité.

register-title = Créer un compte
register-help-link = Aide pour les utilisateurs externes
register-error-summary = Veuillez corriger les points suivants
register-first-name = Prénom
register-last-name = Nom
register-email = Adresse électronique
register-confirm-email = Confirmer l'adresse électronique
register-language = Langue des e-mails
register-language-hint = La langue des e-mails que Tessera vous envoie, quelle que soit la langue de ces pages. Tessera ne vous écrit que pour vérifier votre identité ou vous informer de la sécurité de votre compte.
register-privacy-before = En cochant cette case, vous reconnaissez avoir lu et compris la
register-privacy-link = déclaration de confidentialité
register-submit = Créer un compte
register-cancel = Annuler
register-too-many = Trop de tentatives proviennent de votre réseau. Attendez une minute, puis réessayez.

register-sent-title = Consultez votre messagerie
register-sent-body = Nous avons envoyé un message à { $email }. Ouvrez le lien qu'il contient dans les 24 heures pour créer votre mot de passe.
register-sent-spam = Si vous ne trouvez pas le message, regardez dans vos courriers indésirables. Si l'adresse a déjà un compte, le message vous indique comment vous connecter.
register-back-to-signin = Retour à la connexion

register-password-title = Nouveau mot de passe
register-password-intro = Veuillez choisir votre nouveau mot de passe.
register-external = (Externe)
register-new-password = Nouveau mot de passe
register-confirm-password = Confirmer le nouveau mot de passe
register-rules-intro = Votre mot de passe ne peut pas contenir votre nom ni votre adresse électronique, et doit comporter au moins 10 caractères d'au moins trois de ces groupes (espaces autorisées) :
register-rules-upper = majuscules : A à Z
register-rules-lower = minuscules : a à z
register-rules-digits = chiffres : 0 à 9
register-rules-special = caractères spéciaux, par exemple !"#$%&'()*+,-./:;<=>?@[\]^_`{"{"}|{"}"}~
register-rules-leaked = Il est aussi comparé à une liste de mots de passe divulgués et refusé s'il est trop facile à deviner. Choisissez-le aussi long que vous pouvez le retenir.
register-password-submit = Valider

register-expired-title = Ce lien ne fonctionne plus
register-expired-body = Le lien a expiré (les liens sont valables 24 heures) ou a déjà été utilisé. Saisissez à nouveau votre adresse électronique pour recevoir un nouveau lien.
register-expired-submit = Envoyer un nouveau lien
register-expired-removed = Si votre demande date de plus d'un jour, elle a peut-être été supprimée : créez alors à nouveau votre compte.

register-done-title = Votre compte est prêt
register-done-signed-in = Votre mot de passe est enregistré et vous êtes connecté en tant que { $email }. Vous pouvez maintenant continuer vers le service que vous vouliez utiliser.
register-done-sign-in = Votre mot de passe est enregistré pour { $email }. Connectez-vous pour continuer.
register-proceed = Continuer

register-help-title = Aide pour les utilisateurs externes
register-help-who = Créez un compte ici si vous n'appartenez pas à une organisation qui gère ses utilisateurs dans Tessera. Si c'est le cas de votre organisation, adressez-vous plutôt à son administrateur des utilisateurs : votre compte indiquera alors votre organisation.
register-help-step-form = Indiquez votre prénom et votre nom (dans n'importe quel alphabet), deux fois votre adresse électronique, la langue des e-mails et le code de l'image, puis cochez la case de la déclaration de confidentialité.
register-help-step-mail = Ouvrez dans les 24 heures le lien de l'e-mail que Tessera vous envoie. Rien reçu ? Regardez dans vos courriers indésirables.
register-help-step-password = Choisissez votre mot de passe. Vous êtes alors connecté et pouvez continuer vers le service qui vous a envoyé.
register-help-external = Les comptes créés ici n'appartiennent à aucune organisation et apparaissent comme « Externe ». Chaque application décide si elle les accepte.

privacy-title = Déclaration de confidentialité
privacy-intro = Tessera est le portail d'identité qui vous connecte aux applications de l'institution qui l'exploite. Cette déclaration indique ce qu'il conserve à votre sujet, pourquoi et pendant combien de temps.
privacy-what-heading = Ce que Tessera conserve
privacy-what-account = Votre compte : prénom et nom, adresse électronique, langue des e-mails, votre organisation (ou Externe), son état et ses dates de création et de modification.
privacy-what-secrets = Votre mot de passe, uniquement sous forme d'empreinte à sens unique qui ne permet pas de le retrouver ; vos seconds facteurs (numéros de téléphone, applications d'authentification, clés de sécurité), avec leurs secrets chiffrés.
privacy-what-sessions = Vos sessions : quand vous vous êtes connecté, la description du navigateur et l'adresse réseau, et les applications ouvertes.
privacy-what-audit = Un journal d'audit de ce qui est fait avec votre compte (connexions, modifications, appartenances), qui ne peut plus être modifié ensuite.
privacy-what-messages = Les e-mails et SMS qui vous sont envoyés, jusqu'à un certain temps après leur remise.
privacy-why-heading = Pourquoi
privacy-why = Pour vous connecter en sécurité, indiquer aux applications que vous ouvrez qui vous êtes et à quels groupes vous appartenez chez elles, protéger votre compte contre les abus (limites de tentatives, CAPTCHA) et pouvoir rendre compte de chaque modification.
privacy-shared-heading = Qui les reçoit
privacy-shared = Une application à laquelle vous vous connectez reçoit votre nom, votre adresse électronique et vos groupes dans cette seule application. Rien n'est vendu ni transmis à quiconque d'autre. Le CAPTCHA fonctionne sur Tessera même : aucun tiers ne vous voit remplir le formulaire.
privacy-kept-heading = Combien de temps
privacy-kept = Un compte dont l'adresse électronique n'a jamais été confirmée est supprimé dès que son lien expire (après 24 heures). Les autres comptes sont conservés jusqu'à leur suppression ; les sessions une semaine après leur fin ; les messages pendant la durée fixée par les opérateurs ; le journal d'audit selon les règles de l'institution.
privacy-not-heading = Ce que Tessera ne fait pas
privacy-not = Pas de publicité, pas de pistage, pas d'autres cookies que ceux qui servent à vous connecter, protéger les formulaires et retenir votre langue et votre adresse électronique sur ce navigateur.
privacy-rights-heading = Vos droits
privacy-rights = Vous pouvez consulter et modifier vos données et vos sessions dans Mon compte. Pour faire corriger vos données ou supprimer votre compte, ou pour toute question, adressez-vous aux personnes qui exploitent Tessera dans l'institution qui vous a envoyé ici.

register-error-first_name-required = Indiquez votre prénom.
register-error-first_name-too_long = Un prénom comporte au plus 100 caractères.
register-error-first_name-invalid = Un prénom ne peut pas contenir de caractères de contrôle.
register-error-last_name-required = Indiquez votre nom.
register-error-last_name-too_long = Un nom comporte au plus 100 caractères.
register-error-last_name-invalid = Un nom ne peut pas contenir de caractères de contrôle.
register-error-email-required = Indiquez votre adresse électronique.
register-error-email-invalid = Indiquez une adresse électronique telle que nom@example.org.
register-error-email-too_long = Une adresse électronique comporte au plus 254 caractères.
register-error-confirm_email-required = Indiquez à nouveau votre adresse électronique.
register-error-confirm_email-mismatch = Les deux adresses électroniques ne sont pas identiques.
register-error-language-unsupported = Choisissez l'une des langues de la liste.
register-error-privacy-required = Cochez la case pour reconnaître la déclaration de confidentialité.
register-error-captcha-required = Saisissez le code affiché dans l'image.
register-error-captcha-wrong = Le code n'était pas correct. Saisissez le nouveau code.
register-error-captcha-expired = Le code a expiré. Saisissez le nouveau code.
register-error-captcha-gone = Ce code ne peut plus être utilisé. Saisissez le nouveau code.
register-error-captcha-too_many = Trop de codes ont été demandés depuis votre réseau. Attendez une minute, puis réessayez.
register-error-new_password-too_short = Utilisez au moins 10 caractères.
register-error-new_password-too_long = Ce mot de passe est trop long.
register-error-new_password-too_simple = Utilisez des caractères d'au moins trois de ces groupes : majuscules, minuscules, chiffres, caractères spéciaux (une espace compte).
register-error-new_password-contains_name = N'utilisez pas votre nom ni votre adresse électronique dans votre mot de passe.
register-error-new_password-leaked = Votre nouveau mot de passe ne peut pas être utilisé, car il figure dans une base de données publique de mots de passe non sûrs. Il pourrait servir à prendre le contrôle de votre compte. Veuillez choisir un autre mot de passe.
register-error-confirm-mismatch = Les deux mots de passe ne sont pas identiques.
