# La page d'erreur et les messages de refus.

error-page-status = Erreur { $status }
error-page-start = Aller à la page d'accueil

problem-bad-request-title = La demande n'a pas pu être lue
problem-page-not-found-title = Page introuvable
problem-page-not-found = Il n'y a rien à cette adresse. Vérifiez le lien, ou revenez à la page d'accueil.
problem-reset-link-title = Ce lien ne fonctionne pas
problem-reset-link = Il a déjà été utilisé, remplacé par un lien plus récent, ou il a expiré (les liens fonctionnent une heure). Demandez-en un nouveau sous « Mot de passe oublié ? ».
problem-sign-in-failed-title = Non connecté
problem-sign-in-failed = L'adresse e-mail ou le mot de passe n'est pas correct.
problem-account-unavailable-title = Compte indisponible
problem-account-unavailable = Votre compte est { $status ->
    [invited] en attente d'activation
    [disabled] désactivé
    [locked] verrouillé
    [expired] expiré
   *[other] indisponible
}. Contactez votre administrateur des utilisateurs.
problem-throttled-title = Trop de tentatives échouées
problem-throttled = { $locked ->
    [yes] Trop de tentatives échouées : la connexion avec cette adresse e-mail est suspendue jusqu'à { $until }. Votre administrateur des utilisateurs peut lever cette suspension plus tôt.
   *[no] Trop de tentatives échouées. Attendez { $seconds } secondes, puis réessayez.
}
problem-rate-limited-title = Trop de tentatives de connexion
problem-rate-limited = Trop de tentatives de connexion sont venues de votre réseau. Attendez une minute, puis réessayez.
problem-wrong-code-title = Code erroné
problem-wrong-code = Le code n'est pas correct. Il vous reste { $left } essais.
problem-code-expired-title = Code expiré
problem-code-expired = Le code a expiré. Reconnectez-vous pour en recevoir un nouveau.
problem-code-exhausted-title = Trop de codes erronés
problem-code-exhausted = Le code a été saisi faux trop de fois. Reconnectez-vous pour en recevoir un nouveau.
problem-challenge-gone-title = Reconnectez-vous
problem-challenge-gone = Cette connexion a pris fin. Reconnectez-vous.
problem-no-strong-method-title = Une méthode de vérification plus forte est nécessaire
problem-no-strong-method = Il faut pour cela une méthode de vérification que votre compte n'a pas (par exemple une clé de sécurité). Ajoutez-en une dans Mon compte, ou demandez à votre administrateur des utilisateurs.
problem-last-factor-title = C'est votre dernière méthode de vérification
problem-last-factor = Vos applications exigent un second facteur : ajoutez-en un autre avant de retirer celui-ci.
problem-passkeys-unavailable-title = Les clés de sécurité ne sont pas disponibles
problem-passkeys-unavailable = Les clés de sécurité et clés d'accès ne fonctionnent que lorsque Tessera est joint par un nom d'hôte (son adresse publique), pas par une adresse IP.
problem-key-refused-title = Clé de sécurité refusée
problem-key-refused = La réponse de la clé de sécurité n'a pas été acceptée. Réessayez, ou essayez une autre méthode.
problem-conflict-title = Impossible
problem-not-signed-in-title = Non connecté
problem-not-signed-in = Connectez-vous pour continuer.
problem-not-found-title = Introuvable
problem-not-found = Il n'y a rien ici, ou vous n'êtes pas autorisé à le voir.
problem-forbidden-title = Non autorisé
problem-forbidden = Votre compte ne peut pas faire cela. Si vous en avez besoin, demandez à un opérateur.
problem-busy-title = Tessera est occupé
problem-busy = Trop de demandes sont en cours de traitement. Veuillez réessayer dans un instant.
problem-stale-title = Modifié entre-temps
problem-stale = L'enregistrement a été modifié par quelqu'un d'autre. Rechargez-le et réessayez.
problem-internal-title = Une erreur s'est produite
problem-internal = Tessera n'a pas pu traiter cette demande. Le problème a été consigné ; veuillez réessayer plus tard.
problem-form-expired-title = Le formulaire a expiré
problem-form-expired = Ce formulaire n'a pas été envoyé depuis une page de Tessera, ou sa page est trop ancienne. Revenez en arrière, rechargez la page et réessayez.

## Erreurs par champ et par code

error-new_password-too_short = Utilisez au moins { $min } caractères (celui-ci en a { $length }).
error-new_password-too_long = Utilisez au plus { $max } caractères.
error-new_password-too_simple = Utilisez des caractères d'au moins trois de ces groupes : majuscules, minuscules, chiffres, caractères spéciaux (l'espace compte).
error-new_password-contains_name = N'utilisez pas votre nom ni votre adresse e-mail dans votre mot de passe.
error-new_password-leaked = Votre nouveau mot de passe ne peut pas être utilisé, car il figure dans une base de données publique de mots de passe peu sûrs. Il pourrait servir à prendre le contrôle de votre compte. Veuillez choisir un autre mot de passe.
error-new_password-unchanged = Choisissez un mot de passe différent de votre mot de passe actuel.
error-new_password-guessable = Ce mot de passe est facile à deviner. Ajoutez un ou deux mots ; les mots peu courants sont préférables.
error-confirm-mismatch = Les deux mots de passe ne sont pas identiques.
error-current_password-wrong = Votre mot de passe actuel n'est pas correct.

error-phone-required = Saisissez un numéro de téléphone.
error-phone-not_international = Saisissez le numéro au format international : + et l'indicatif du pays d'abord (par exemple +33 6 12 34 56 78), pas un numéro national.
error-phone-invalid = Ce n'est pas un numéro de téléphone valide : vérifiez l'indicatif du pays et les chiffres (par exemple +33 6 12 34 56 78).
error-phone-duplicate = Ce numéro figure déjà dans votre compte.
error-name-required = Donnez-lui un nom, pour le distinguer des autres (par exemple « Téléphone » ou « Clé bleue »).
error-code-wrong = Le code n'est pas correct. Vérifiez que l'application affiche Tessera avec votre adresse e-mail, et saisissez les six chiffres qu'elle affiche maintenant.
error-method-required = Choisissez l'une de vos méthodes de vérification.
error-method-unavailable = Ajoutez d'abord cette méthode de vérification à votre compte.
