## Le champ CAPTCHA d'un formulaire
captcha-label = Saisissez le code
captcha-hint = Tapez les lettres et les chiffres de l'image (en majuscules ou non), ou écoutez-les. Votre navigateur peut aussi faire cette vérification lui-même : vous pouvez alors laisser la case vide.
captcha-image-alt = Une image du code. Si vous ne pouvez pas la voir, utilisez « Écouter le code ».
captcha-listen = Écouter le code
captcha-new = Nouveau code
captcha-js-type = Tapez le code de l'image, ou écoutez-le.
captcha-js-working = Votre navigateur vérifie que vous êtes une personne. Vous pouvez continuer à remplir le formulaire.
captcha-js-done = C'est fait : votre navigateur a répondu à la vérification. Vous n'avez pas besoin de taper le code.
captcha-js-progress = Votre navigateur vérifie que vous êtes une personne : environ {"{"}share{"}"} % effectués.
captcha-js-fetching = Obtention d'un nouveau code…
captcha-js-busy = Aucun nouveau code ne peut être donné pour le moment. Attendez une minute, puis réessayez.
captcha-js-offline = Aucun nouveau code ne peut être donné pour le moment. Vérifiez votre connexion.
