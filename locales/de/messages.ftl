# Nachrichtentexte auf Deutsch.

operator-created-subject = Ihr Tessera-Operatorkonto
operator-created-body =
    Hallo { $name },

    für Sie wurde in Tessera ein Operatorkonto mit der E-Mail-Adresse { $email } angelegt.

    Operatoren verwalten Organisationsebenen, Benutzer und Anwendungen. Melden Sie sich unter { $url } an.

    Wenn Sie diese Nachricht nicht erwartet haben, wenden Sie sich an die Betreiber von Tessera in Ihrer Institution.

test-message-subject = Testnachricht von Tessera
test-message-body = Dies ist eine Testnachricht von Tessera, um zu prüfen, ob die Zustellung per { $channel } funktioniert.
test-message-sms = Testnachricht von Tessera: Die Zustellung per { $channel } funktioniert.
test-message-voice = Dies ist eine Testnachricht von Tessera. Die Zustellung per Sprachanruf funktioniert.

sign-in-code-subject = Ihr Tessera-Anmeldecode
sign-in-code-body = Ihr Tessera-Anmeldecode lautet { $code }. Er läuft in 3 Minuten ab. Geben Sie ihn an niemanden weiter.
sign-in-code-sms = Ihr Tessera-Code lautet { $code }. Er läuft in 3 Minuten ab. Nicht weitergeben.
sign-in-code-voice = Ihr Tessera-Code lautet: { $code }. Ich wiederhole: { $code }.

phone-confirmation-subject = Bestätigen Sie Ihre Telefonnummer für Tessera
phone-confirmation-body = Ihr Tessera-Bestätigungscode lautet { $code }. Er läuft in 3 Minuten ab. Wenn Sie diese Nummer nicht hinzugefügt haben, ignorieren Sie diese Nachricht.
phone-confirmation-sms = Ihr Tessera-Bestätigungscode lautet { $code }. Er läuft in 3 Minuten ab.

password-changed-subject = Ihr Tessera-Passwort wurde geändert
password-changed-body =
    Hallo { $name },

    das Passwort Ihres Tessera-Kontos { $email } wurde geändert. Ihre anderen Sitzungen wurden abgemeldet.

    Wenn Sie es nicht geändert haben, wenden Sie sich sofort an Ihren Benutzeradministrator.

password-reset-subject = Tessera-Passwort zurücksetzen
password-reset-body =
    Hallo { $name },

    für Ihr Tessera-Konto { $email } wurde das Zurücksetzen des Passworts angefordert. Um ein neues Passwort zu wählen, öffnen Sie diesen Link innerhalb einer Stunde:

    { $link }

    Der Link funktioniert nur einmal. Wenn Sie das nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.

invitation-subject = Ihr Tessera-Konto
invitation-body =
    Hallo { $name },

    für Sie wurde ein Tessera-Konto mit der E-Mail-Adresse { $email } angelegt. Um Ihr Passwort festzulegen, öffnen Sie innerhalb von 7 Tagen diesen Link:

    { $link }

    Der Link funktioniert einmal.

registration-verify-subject = Erstellen Sie Ihr Tessera-Passwort
registration-verify-body =
    Hallo { $name },

    mit Ihrer E-Mail-Adresse { $email } wurde ein Tessera-Konto beantragt. Um zu bestätigen, dass diese Adresse Ihnen gehört, und Ihr Passwort zu erstellen, öffnen Sie diesen Link:

    { $link }

    Der Link funktioniert einmal, 24 Stunden lang ab dem Versand dieser Nachricht; nutzen Sie ihn möglichst gleich. Danach öffnen Sie den Link trotzdem: Sie können einen neuen anfordern, indem Sie Ihre E-Mail-Adresse erneut eingeben.

    Wenn Sie kein Konto beantragt haben, ignorieren Sie diese Nachricht: Ohne Ihr Passwort wird der Antrag nach 24 Stunden gelöscht.

    Bitte antworten Sie nicht auf diese Nachricht. Hilfe finden Sie über die Hilfe- oder Kontaktangaben der Website, auf der Sie sich registriert haben.

    Gesendet von Tessera

registration-notice-subject = Ihr Tessera-Konto
registration-notice-body =
    Hallo { $name },

    jemand hat mit Ihrer E-Mail-Adresse { $email } ein Tessera-Konto beantragt. Sie haben mit dieser Adresse bereits ein Konto, daher wurde kein neues angelegt.

    Zum Anmelden gehen Sie zu { $signin }

    Wenn Sie Ihr Passwort nicht mehr wissen, wählen Sie ein neues unter { $reset }

    Wenn Sie das nicht veranlasst haben, ignorieren Sie diese Nachricht: Ihr Konto bleibt, wie es ist.

    Gesendet von Tessera
