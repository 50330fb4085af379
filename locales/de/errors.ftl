# Die Fehlerseite und die Meldungen bei Ablehnungen.

error-page-status = Fehler { $status }
error-page-start = Zur Startseite

problem-bad-request-title = Die Anfrage konnte nicht gelesen werden
problem-page-not-found-title = Seite nicht gefunden
problem-page-not-found = Unter dieser Adresse gibt es nichts. Prüfen Sie den Link oder kehren Sie zur Startseite zurück.
problem-reset-link-title = Dieser Link funktioniert nicht
problem-reset-link = Er wurde bereits verwendet, durch einen neueren ersetzt oder ist abgelaufen (Links gelten eine Stunde). Fordern Sie unter „Passwort vergessen?“ einen neuen an.
problem-sign-in-failed-title = Nicht angemeldet
problem-sign-in-failed = Die E-Mail-Adresse oder das Passwort ist nicht korrekt.
problem-account-unavailable-title = Konto nicht verfügbar
problem-account-unavailable = Ihr Konto ist { $status ->
    [invited] noch nicht aktiviert
    [disabled] deaktiviert
    [locked] gesperrt
    [expired] abgelaufen
   *[other] nicht verfügbar
}. Wenden Sie sich an Ihre Benutzerverwaltung.
problem-throttled-title = Zu viele fehlgeschlagene Versuche
problem-throttled = { $locked ->
    [yes] Zu viele fehlgeschlagene Versuche: Die Anmeldung mit dieser E-Mail-Adresse ist bis { $until } ausgesetzt. Ihre Benutzerverwaltung kann die Sperre früher aufheben.
   *[no] Zu viele fehlgeschlagene Versuche. Warten Sie { $seconds } Sekunden und versuchen Sie es dann erneut.
}
problem-rate-limited-title = Zu viele Anmeldeversuche
problem-rate-limited = Aus Ihrem Netzwerk kamen zu viele Anmeldeversuche. Warten Sie eine Minute und versuchen Sie es dann erneut.
problem-wrong-code-title = Falscher Code
problem-wrong-code = Der Code ist nicht korrekt. Sie haben noch { $left } Versuche.
problem-code-expired-title = Code abgelaufen
problem-code-expired = Der Code ist abgelaufen. Melden Sie sich erneut an, um einen neuen zu erhalten.
problem-code-exhausted-title = Zu viele falsche Codes
problem-code-exhausted = Der Code wurde zu oft falsch eingegeben. Melden Sie sich erneut an, um einen neuen zu erhalten.
problem-challenge-gone-title = Erneut anmelden
problem-challenge-gone = Diese Anmeldung ist beendet. Melden Sie sich erneut an.
problem-no-strong-method-title = Eine stärkere Bestätigungsmethode ist nötig
problem-no-strong-method = Hierfür ist eine Bestätigungsmethode nötig, die Ihr Konto nicht hat (zum Beispiel ein Sicherheitsschlüssel). Fügen Sie eine unter Mein Konto hinzu oder wenden Sie sich an Ihre Benutzerverwaltung.
problem-last-factor-title = Dies ist Ihre letzte Bestätigungsmethode
problem-last-factor = Ihre Anwendungen verlangen einen zweiten Faktor: Fügen Sie einen weiteren hinzu, bevor Sie diesen entfernen.
problem-passkeys-unavailable-title = Sicherheitsschlüssel sind nicht verfügbar
problem-passkeys-unavailable = Sicherheitsschlüssel und Passkeys funktionieren nur, wenn Tessera über einen Hostnamen (seine öffentliche Adresse) aufgerufen wird, nicht über eine IP-Adresse.
problem-key-refused-title = Sicherheitsschlüssel nicht akzeptiert
problem-key-refused = Die Antwort des Sicherheitsschlüssels wurde nicht akzeptiert. Versuchen Sie es erneut oder auf andere Weise.
problem-conflict-title = Nicht möglich
problem-not-signed-in-title = Nicht angemeldet
problem-not-signed-in = Melden Sie sich an, um fortzufahren.
problem-not-found-title = Nicht gefunden
problem-not-found = Hier gibt es nichts, oder Sie dürfen es nicht sehen.
problem-forbidden-title = Nicht erlaubt
problem-forbidden = Ihr Konto darf das nicht. Falls Sie es brauchen, fragen Sie einen Betreiber.
problem-busy-title = Tessera ist ausgelastet
problem-busy = Es werden gerade zu viele Anfragen bearbeitet. Bitte versuchen Sie es gleich noch einmal.
problem-stale-title = Zwischenzeitlich geändert
problem-stale = Der Datensatz wurde von jemand anderem geändert. Laden Sie ihn neu und versuchen Sie es erneut.
problem-internal-title = Etwas ist schiefgelaufen
problem-internal = Tessera konnte diese Anfrage nicht ausführen. Das Problem wurde protokolliert; bitte versuchen Sie es später erneut.
problem-form-expired-title = Das Formular ist abgelaufen
problem-form-expired = Dieses Formular wurde nicht von einer Seite von Tessera gesendet, oder seine Seite ist zu alt. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.

## Fehler nach Feld und Code

error-new_password-too_short = Verwenden Sie mindestens { $min } Zeichen (dieses hat { $length }).
error-new_password-too_long = Verwenden Sie höchstens { $max } Zeichen.
error-new_password-too_simple = Verwenden Sie Zeichen aus mindestens drei dieser Gruppen: Großbuchstaben, Kleinbuchstaben, Ziffern, Sonderzeichen (ein Leerzeichen zählt).
error-new_password-contains_name = Verwenden Sie in Ihrem Passwort weder Ihren Namen noch Ihre E-Mail-Adresse.
error-new_password-leaked = Ihr neues Passwort kann nicht verwendet werden, da es in einer öffentlichen Datenbank mit unsicheren Passwörtern steht. Damit könnte Ihr Konto übernommen werden. Bitte wählen Sie ein anderes Passwort.
error-new_password-unchanged = Wählen Sie ein anderes Passwort als Ihr aktuelles.
error-new_password-guessable = Dieses Passwort ist leicht zu erraten. Fügen Sie ein oder zwei Wörter hinzu; ungewöhnliche Wörter sind besser.
error-confirm-mismatch = Die beiden Passwörter stimmen nicht überein.
error-current_password-wrong = Ihr aktuelles Passwort ist nicht korrekt.

error-phone-required = Geben Sie eine Telefonnummer ein.
error-phone-not_international = Geben Sie die Nummer im internationalen Format ein: zuerst + und die Landesvorwahl (zum Beispiel +49 151 2345 6789), keine nationale Nummer.
error-phone-invalid = Dies ist keine gültige Telefonnummer: Prüfen Sie die Landesvorwahl und die Ziffern (zum Beispiel +49 151 2345 6789).
error-phone-duplicate = Diese Nummer ist bereits in Ihrem Konto.
error-name-required = Geben Sie ihm einen Namen, damit Sie es von anderen unterscheiden können (zum Beispiel „Handy“ oder „Blauer Schlüssel“).
error-code-wrong = Der Code ist nicht korrekt. Prüfen Sie, dass die App Tessera mit Ihrer E-Mail-Adresse anzeigt, und geben Sie die sechs Ziffern ein, die sie jetzt anzeigt.
error-method-required = Wählen Sie eine Ihrer Bestätigungsmethoden.
error-method-unavailable = Fügen Sie diese Bestätigungsmethode zuerst Ihrem Konto hinzu.
