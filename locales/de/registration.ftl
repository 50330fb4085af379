# „Konto erstellen“ (Selbstregistrierung), der per E-Mail gesendete Link, die
# Datenschutzerklärung.

register-title = Konto erstellen
register-help-link = Hilfe für externe Nutzer
register-error-summary = Bitte korrigieren Sie Folgendes
register-first-name = Vorname
register-last-name = Nachname
register-email = E-Mail
register-confirm-email = E-Mail bestätigen
register-language = E-Mail-Sprache
register-language-hint = Die Sprache der E-Mails, die Tessera Ihnen sendet, unabhängig von der Sprache dieser Seiten. Tessera schreibt Ihnen nur, um Ihre Identität zu prüfen oder Sie über die Sicherheit Ihres Kontos zu informieren.
register-privacy-before = Mit dem Ankreuzen dieses Kästchens bestätigen Sie, dass Sie Folgendes gelesen und verstanden haben: die
register-privacy-link = Datenschutzerklärung
register-submit = Konto erstellen
register-cancel = Abbrechen
register-too-many = Zu viele Versuche aus Ihrem Netzwerk. Warten Sie eine Minute und versuchen Sie es dann erneut.

register-sent-title = Prüfen Sie Ihre E-Mails
register-sent-body = Wir haben eine Nachricht an { $email } gesendet. Öffnen Sie den Link darin innerhalb von 24 Stunden, um Ihr Passwort zu erstellen.
register-sent-spam = Wenn Sie die Nachricht nicht finden, sehen Sie im Spam- oder Junk-Ordner nach. Hat die Adresse schon ein Konto, erklärt die Nachricht, wie Sie sich stattdessen anmelden.
register-back-to-signin = Zurück zur Anmeldung

register-password-title = Neues Passwort
register-password-intro = Bitte wählen Sie Ihr neues Passwort.
register-external = (Extern)
register-new-password = Neues Passwort
register-confirm-password = Neues Passwort bestätigen
register-rules-intro = Ihr Passwort darf weder Ihren Namen noch Ihre E-Mail-Adresse enthalten und muss mindestens 10 Zeichen aus mindestens drei dieser Gruppen haben (Leerzeichen erlaubt):
register-rules-upper = Großbuchstaben: A bis Z
register-rules-lower = Kleinbuchstaben: a bis z
register-rules-digits = Ziffern: 0 bis 9
register-rules-special = Sonderzeichen, etwa !"#$%&'()*+,-./:;<=>?@[\]^_`{"{"}|{"}"}~
register-rules-leaked = Außerdem wird es mit einer Liste früher veröffentlichter Passwörter verglichen und abgelehnt, wenn es zu leicht zu erraten ist. Wählen Sie es so lang, wie Sie es sich merken können.
register-password-submit = Absenden

register-expired-title = Dieser Link funktioniert nicht mehr
register-expired-body = Der Link ist abgelaufen (Links gelten 24 Stunden) oder wurde schon benutzt. Geben Sie Ihre E-Mail-Adresse erneut ein, um einen neuen Link zu erhalten.
register-expired-submit = Neuen Link senden
register-expired-removed = Liegt Ihr Antrag mehr als einen Tag zurück, wurde er vielleicht gelöscht: Erstellen Sie Ihr Konto dann erneut.

register-done-title = Ihr Konto ist bereit
register-done-signed-in = Ihr Passwort ist gesetzt und Sie sind als { $email } angemeldet. Sie können jetzt zu dem Dienst weitergehen, den Sie nutzen wollten.
register-done-sign-in = Ihr Passwort für { $email } ist gesetzt. Melden Sie sich an, um fortzufahren.
register-proceed = Weiter

register-help-title = Hilfe für externe Nutzer
register-help-who = Erstellen Sie hier ein Konto, wenn Sie keiner Organisation angehören, die ihre Nutzer in Tessera verwaltet. Tut Ihre Organisation das, wenden Sie sich stattdessen an ihre Nutzeradministration: Ihr Konto zeigt dann Ihre Organisation.
register-help-step-form = Geben Sie Vor- und Nachnamen (in beliebiger Schrift), zweimal Ihre E-Mail-Adresse, die Sprache für E-Mails und den Code im Bild ein und kreuzen Sie das Kästchen der Datenschutzerklärung an.
register-help-step-mail = Öffnen Sie innerhalb von 24 Stunden den Link in der E-Mail, die Tessera Ihnen sendet. Nichts angekommen? Sehen Sie im Spam-Ordner nach.
register-help-step-password = Wählen Sie Ihr Passwort. Dann sind Sie angemeldet und können zu dem Dienst weitergehen, der Sie geschickt hat.
register-help-external = Hier erstellte Konten gehören keiner Organisation an und werden als „Extern“ angezeigt. Jede Anwendung entscheidet, ob sie sie zulässt.

privacy-title = Datenschutzerklärung
privacy-intro = Tessera ist das Identitätsportal, das Sie bei den Anwendungen der Institution anmeldet, die es betreibt. Diese Erklärung sagt, was es über Sie speichert, warum und wie lange.
privacy-what-heading = Was Tessera speichert
privacy-what-account = Ihr Konto: Vor- und Nachname, E-Mail-Adresse, E-Mail-Sprache, Ihre Organisation (oder Extern), seinen Zustand und wann es angelegt und geändert wurde.
privacy-what-secrets = Ihr Passwort nur als Einweg-Hash, aus dem es sich nicht zurückgewinnen lässt; Ihre zweiten Faktoren (Telefonnummern, Authentifizierungs-Apps, Sicherheitsschlüssel) mit verschlüsselten Geheimnissen.
privacy-what-sessions = Ihre Sitzungen: wann Sie sich angemeldet haben, die Beschreibung des Browsers und die Netzwerkadresse sowie die geöffneten Anwendungen.
privacy-what-audit = Ein Prüfprotokoll dessen, was mit Ihrem Konto geschieht (Anmeldungen, Änderungen, Mitgliedschaften), das nachträglich nicht verändert werden kann.
privacy-what-messages = Die E-Mails und SMS an Sie, bis einige Zeit nach ihrer Zustellung.
privacy-why-heading = Warum
privacy-why = Um Sie sicher anzumelden, den Anwendungen, die Sie öffnen, mitzuteilen, wer Sie sind und zu welchen ihrer Gruppen Sie gehören, Ihr Konto vor Missbrauch zu schützen (Begrenzung der Versuche, CAPTCHA) und jede Änderung belegen zu können.
privacy-shared-heading = Wer die Daten erhält
privacy-shared = Eine Anwendung, bei der Sie sich anmelden, erhält Ihren Namen, Ihre E-Mail-Adresse und Ihre Gruppen nur dieser Anwendung. Nichts wird verkauft oder an andere weitergegeben. Das CAPTCHA läuft auf Tessera selbst: Kein Dritter sieht Sie das Formular ausfüllen.
privacy-kept-heading = Wie lange
privacy-kept = Ein Konto, dessen E-Mail-Adresse nie bestätigt wurde, wird gelöscht, sobald sein Link abläuft (nach 24 Stunden). Andere Konten bleiben, bis sie gelöscht werden; Sitzungen eine Woche nach ihrem Ende; Nachrichten so lange, wie die Betreiber festlegen; das Prüfprotokoll nach den Regeln der Institution.
privacy-not-heading = Was Tessera nicht tut
privacy-not = Keine Werbung, kein Tracking, keine Cookies außer denen, die für die Anmeldung, den Schutz der Formulare und das Merken Ihrer Sprache und E-Mail-Adresse in diesem Browser nötig sind.
privacy-rights-heading = Ihre Rechte
privacy-rights = Unter „Mein Konto“ können Sie Ihre Angaben und Sitzungen einsehen und ändern. Um Daten berichtigen oder Ihr Konto löschen zu lassen, oder bei Fragen, wenden Sie sich an die Betreiber von Tessera in der Institution, die Sie hierher geschickt hat.

register-error-first_name-required = Geben Sie Ihren Vornamen ein.
register-error-first_name-too_long = Ein Vorname hat höchstens 100 Zeichen.
register-error-first_name-invalid = Ein Vorname darf keine Steuerzeichen enthalten.
register-error-last_name-required = Geben Sie Ihren Nachnamen ein.
register-error-last_name-too_long = Ein Nachname hat höchstens 100 Zeichen.
register-error-last_name-invalid = Ein Nachname darf keine Steuerzeichen enthalten.
register-error-email-required = Geben Sie Ihre E-Mail-Adresse ein.
register-error-email-invalid = Geben Sie eine E-Mail-Adresse wie name@example.org ein.
register-error-email-too_long = Eine E-Mail-Adresse hat höchstens 254 Zeichen.
register-error-confirm_email-required = Geben Sie Ihre E-Mail-Adresse noch einmal ein.
register-error-confirm_email-mismatch = Die beiden E-Mail-Adressen stimmen nicht überein.
register-error-language-unsupported = Wählen Sie eine der Sprachen der Liste.
register-error-privacy-required = Kreuzen Sie das Kästchen an, um die Datenschutzerklärung zu bestätigen.
register-error-captcha-required = Geben Sie den Code aus dem Bild ein.
register-error-captcha-wrong = Der Code war nicht richtig. Geben Sie den neuen Code ein.
register-error-captcha-expired = Der Code ist abgelaufen. Geben Sie den neuen Code ein.
register-error-captcha-gone = Dieser Code kann nicht mehr verwendet werden. Geben Sie den neuen Code ein.
register-error-captcha-too_many = Aus Ihrem Netzwerk wurden zu viele Codes angefordert. Warten Sie eine Minute und versuchen Sie es dann erneut.
register-error-new_password-too_short = Verwenden Sie mindestens 10 Zeichen.
register-error-new_password-too_long = Dieses Passwort ist zu lang.
register-error-new_password-too_simple = Verwenden Sie Zeichen aus mindestens drei dieser Gruppen: Großbuchstaben, Kleinbuchstaben, Ziffern, Sonderzeichen (ein Leerzeichen zählt).
register-error-new_password-contains_name = Verwenden Sie weder Ihren Namen noch Ihre E-Mail-Adresse im Passwort.
register-error-new_password-leaked = Ihr neues Passwort kann nicht verwendet werden, weil es in einer öffentlichen Datenbank unsicherer Passwörter steht. Damit könnte Ihr Konto übernommen werden. Bitte wählen Sie ein anderes Passwort.
register-error-confirm-mismatch = Die beiden Passwörter stimmen nicht überein.
