## Abmelden auf Wunsch einer Anwendung
logout-title = Abmelden
logout-question = Möchten Sie sich von Tessera abmelden?
logout-asked-by = { $client } möchte Sie abmelden. Die Abmeldung von Tessera meldet Sie auch von den anderen Anwendungen ab, die Sie damit in diesem Browser geöffnet haben.
logout-asked = Eine Anwendung möchte Sie abmelden. Die Abmeldung von Tessera meldet Sie auch von den anderen Anwendungen ab, die Sie damit in diesem Browser geöffnet haben.
logout-sign-out = Abmelden
logout-stay = Angemeldet bleiben
logout-done-title = Abgemeldet
logout-done-heading = Sie sind abgemeldet
logout-done-text = Sie sind in diesem Browser nicht mehr bei Tessera angemeldet. Die Anwendungen, die Sie damit genutzt haben, werden ebenfalls benachrichtigt.
logout-sign-in-again = Erneut anmelden
