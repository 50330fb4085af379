## Déconnexion à la demande d'une application
logout-title = Déconnexion
logout-question = Voulez-vous vous déconnecter de Tessera ?
logout-asked-by = { $client } demande à vous déconnecter. Vous déconnecter de Tessera vous déconnecte aussi des autres applications ouvertes avec lui dans ce navigateur.
logout-asked = Une application demande à vous déconnecter. Vous déconnecter de Tessera vous déconnecte aussi des autres applications ouvertes avec lui dans ce navigateur.
logout-sign-out = Se déconnecter
logout-stay = Rester connecté
logout-done-title = Déconnecté
logout-done-heading = Vous êtes déconnecté
logout-done-text = Vous n'êtes plus connecté à Tessera dans ce navigateur. Les applications que vous avez utilisées avec lui en sont informées.
logout-sign-in-again = Se reconnecter
