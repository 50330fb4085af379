# Anmeldung: Passwort, zweiter Schritt, „Lost your password?“.

## Passwort
signin-as = Anmeldung als
signin-change-email = Mit einer anderen E-Mail-Adresse anmelden
signin-failed = Die Anmeldung hat nicht geklappt
signin-password = Passwort
signin-lost-password = Passwort vergessen?
signin-submit = Anmelden
signin-password-reset-done = Ihr Passwort wurde geändert. Melden Sie sich mit Ihrem neuen Passwort an.

## Zweiter Schritt
code-title = Sichere Anmeldung
code-heading-sms = Sichere Anmeldung per SMS
code-heading-voice = Sichere Anmeldung per Sprachanruf
code-heading-app = Sichere Anmeldung mit einer Authenticator-App
code-step-up = Hierfür ist eine stärkere Bestätigung Ihrer Identität nötig. Sie bleiben angemeldet.
code-sent-to = Ein Bestätigungscode wird an diese Telefonnummer gesendet:
code-open-app = Öffnen Sie Ihre Authenticator-App und suchen Sie nach Tessera.
code-enter-received = Bitte geben Sie den erhaltenen Code ein
code-enter-app = Bitte geben Sie den Code ein, den Ihre App anzeigt
code-six-digits = Sechs Ziffern.
code-expires = Der Code läuft nach drei Minuten ab.
code-login = Anmelden
code-resend-voice = Code per Sprachanruf erneut senden
code-resend-sms = Code per SMS erneut senden
key-heading = Mit einem Sicherheitsschlüssel oder einer vertrauenswürdigen Plattform anmelden
key-instructions = Verbinden Sie Ihren Sicherheitsschlüssel und berühren Sie ihn, wenn er blinkt, oder verwenden Sie die Bildschirmsperre dieses Geräts, wenn der Browser danach fragt.
key-needs-javascript = Sicherheitsschlüssel benötigen JavaScript. Schalten Sie es ein oder versuchen Sie es auf andere Weise.
key-use = Meinen Sicherheitsschlüssel verwenden

## „Try another way“
another-way = Auf andere Weise versuchen
another-way-choose = Wählen Sie, wie Sie Ihre Identität bestätigen:
another-way-none = Ihr Konto hat keine andere Bestätigungsmethode. Authenticator-Apps, Sicherheitsschlüssel und weitere Telefonnummern können Sie unter Mein Konto hinzufügen.
another-way-restart = Mit einer anderen E-Mail-Adresse neu beginnen

## Bestätigungsmethoden
method-sms = SMS
method-sms-to = SMS an { $phone }
method-voice = Sprachanruf
method-voice-to = Sprachanruf an { $phone }
method-authenticator_app = Authenticator-App
method-security_key = Sicherheitsschlüssel oder Passkey

## Passwort vergessen
reset-title = Passwort vergessen?
reset-intro = Geben Sie die E-Mail-Adresse ein, mit der Sie sich anmelden. Wir senden Ihnen einen Link, um ein neues Passwort zu wählen.
reset-send = Link senden
reset-sent-heading = Sehen Sie in Ihre E-Mails
# Die Adresse steht fett zwischen den beiden Teilen; ein Fluent-Literal bewahrt das führende Leerzeichen.
reset-sent-before = Falls für
reset-sent-after = {" "}ein Konto besteht, haben wir einen Link gesendet, mit dem Sie ein neues Passwort wählen können. Der Link funktioniert einmal und eine Stunde lang.
reset-back = Zurück zur Anmeldung
reset-new-title = Neues Passwort
reset-new-heading = Wählen Sie ein neues Passwort
reset-new-for = Für
reset-new-sessions = Alle Sitzungen dieses Kontos werden abgemeldet.
reset-submit = Absenden

## Sicherheitsschlüssel und Passkeys im Browser
webauthn-cancelled = Der Sicherheitsschlüssel hat nicht geantwortet, oder die Anfrage wurde abgebrochen. Versuchen Sie es erneut.
webauthn-failed = Etwas ist schiefgegangen. Versuchen Sie es erneut.
webauthn-unsupported = Dieser Browser kann keine Sicherheitsschlüssel oder Passkeys verwenden.
