# Textes des messages en français.

operator-created-subject = Votre compte d'opérateur Tessera
operator-created-body =
    Bonjour { $name },

    un compte d'opérateur a été créé pour vous dans Tessera, avec l'adresse électronique { $email }.

    Les opérateurs administrent les niveaux d'organisation, les utilisateurs et les applications. Connectez-vous à l'adresse { $url }

    Si vous n'attendiez pas ce message, prévenez les responsables de Tessera dans votre institution.

test-message-subject = Message de test de Tessera
test-message-body = Ceci est un message de test de Tessera, envoyé pour vérifier que la distribution par { $channel } fonctionne.
test-message-sms = Message de test de Tessera : la distribution par { $channel } fonctionne.
test-message-voice = Ceci est un message de test de Tessera. La distribution par appel vocal fonctionne.

sign-in-code-subject = Votre code de connexion Tessera
sign-in-code-body = Votre code de connexion Tessera est { $code }. Il expire dans 3 minutes. Ne le communiquez à personne.
sign-in-code-sms = Votre code Tessera est { $code }. Il expire dans 3 minutes. Ne le communiquez pas.
sign-in-code-voice = Votre code Tessera est : { $code }. Je répète : { $code }.

phone-confirmation-subject = Confirmez votre numéro de téléphone pour Tessera
phone-confirmation-body = Votre code de confirmation Tessera est { $code }. Il expire dans 3 minutes. Si vous n'avez pas ajouté ce numéro, ignorez ce message.
phone-confirmation-sms = Votre code de confirmation Tessera est { $code }. Il expire dans 3 minutes.

password-changed-subject = Votre mot de passe Tessera a été modifié
password-changed-body =
    Bonjour { $name },

    le mot de passe de votre compte Tessera { $email } a été modifié. Vos autres sessions ont été fermées.

    Si vous n'êtes pas à l'origine de ce changement, contactez immédiatement votre administrateur.

password-reset-subject = Réinitialiser votre mot de passe Tessera
password-reset-body =
    Bonjour { $name },

    une réinitialisation du mot de passe de votre compte Tessera { $email } a été demandée. Pour choisir un nouveau mot de passe, ouvrez ce lien dans l'heure :

    { $link }

    Le lien ne fonctionne qu'une fois. Si vous n'avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.

invitation-subject = Votre compte Tessera
invitation-body =
    Bonjour { $name },

    un compte Tessera a été créé pour vous avec l'adresse { $email }. Pour choisir votre mot de passe, ouvrez ce lien dans les 7 jours :

    { $link }

    Le lien ne fonctionne qu'une fois.

registration-verify-subject = Créez votre mot de passe Tessera
registration-verify-body =
    Bonjour { $name },

    la création d'un compte Tessera a été demandée avec votre adresse électronique { $email }. Pour confirmer que cette adresse est bien la vôtre et créer votre mot de passe, ouvrez ce lien :

    { $link }

    Le lien ne fonctionne qu'une fois, pendant 24 heures à partir de l'envoi de ce message ; utilisez-le de préférence dès maintenant. Passé ce délai, ouvrez tout de même le lien : vous pourrez en demander un nouveau en saisissant à nouveau votre adresse électronique.

    Si vous n'avez pas demandé de compte, ignorez ce message : sans votre mot de passe, la demande est supprimée au bout de 24 heures.

    Merci de ne pas répondre à ce message. Pour obtenir de l'aide, utilisez l'aide ou les coordonnées du site sur lequel vous vous inscriviez.

    Envoyé par Tessera

registration-notice-subject = Votre compte Tessera
registration-notice-body =
    Bonjour { $name },

    quelqu'un a demandé la création d'un compte Tessera avec votre adresse électronique { $email }. Vous avez déjà un compte avec cette adresse : aucun nouveau compte n'a été créé.

    Pour vous connecter, rendez-vous sur { $signin }

    Si vous ne connaissez plus votre mot de passe, choisissez-en un nouveau sur { $reset }

    Si vous n'êtes pas à l'origine de cette demande, ignorez ce message : votre compte reste inchangé.

    Envoyé par Tessera
