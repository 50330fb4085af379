# Mein Konto: Angaben, Sicherheit, Anwendungen, Sitzungen, Passwort ändern; die Startseite.

## Startseite
home-title = Willkommen
home-heading = Willkommen bei Tessera
home-lead = Der eine Ort, an dem Sie identifiziert werden, sich mit einem starken zweiten Faktor anmelden und Zugang zu den Anwendungen erhalten, mit denen Sie arbeiten.
home-no-operator = Diese Installation hat noch keinen Betreiber
home-setup-before = Öffnen Sie den einmaligen Einrichtungslink, den Tessera beim Start auf der Konsole des Servers ausgegeben hat, oder führen Sie
home-setup-after = auf dem Server aus.

## Mein Konto
account-title = Mein Konto
account-details = Meine Kontodaten
account-first-name = Vorname
account-last-name = Nachname
account-email-language = E-Mail-Sprache
account-signed-in-with = Angemeldet mit
account-signed-in-with-value = { $methods } (Vertrauensniveau { $assurance })
account-password-changed = Ihr Passwort wurde geändert. Ihre anderen Sitzungen wurden abgemeldet.
account-security = Sicherheit
account-security-link = Sicherheit: Telefonnummern, Authenticator-Apps, Sicherheitsschlüssel
account-apps-hint = : die Anwendungen, die Sie öffnen dürfen
account-sessions = Sitzungen
account-display-sessions = Meine Sitzungen anzeigen
account-display-activity = Meine Aktivitäten anzeigen
account-administration = Verwaltung
account-admin-users = Benutzer
account-admin-levels = Organisationsebenen
account-admin-administrators = Administratoren
account-admin-applications = Anwendungen
account-admin-audit = Prüfprotokoll
account-admin-outbox = Nachrichten (Postausgang)
account-sign-out = Abmelden
account-back = Zurück zu Mein Konto
account-confirm = Bestätigen
account-cancel = Abbrechen

## Anmeldemethoden einer Sitzung
used-method-password = Passwort
used-method-sms = SMS
used-method-voice = Sprachanruf
used-method-authenticator_app = Authenticator-App
used-method-security_key = Sicherheitsschlüssel
used-method-passkey = Passkey
assurance-low = niedrig
assurance-medium = mittel
assurance-high = hoch

## Sicherheit
security-title = Sicherheit
security-phones = Mobiltelefonnummern
security-no-phone = Noch keine Telefonnummer.
security-number = Nummer
security-use = Verwendung
security-actions = Aktionen
security-default = Standard
security-make-default = Als Standard festlegen
security-delete = Löschen
security-remove = Entfernen
security-add-phone = Mobiltelefonnummer hinzufügen
security-add-phone-hint = Internationales Format, z. B. +49 151 2345 6789. Wir senden zur Bestätigung eine SMS mit einem Code.
security-send-code = Code senden
security-apps = Authenticator-Apps
security-no-app = Noch keine Authenticator-App.
security-add-app = Authenticator-App hinzufügen: ihr Name
security-add-app-hint = Zum Beispiel „Handy“ oder „Dienst-Tablet“.
security-add-app-button = Authenticator-App hinzufügen
security-keys = Sicherheitsschlüssel und Passkeys
security-no-key = Noch kein Sicherheitsschlüssel.
security-add-key = Sicherheitsschlüssel oder Passkey hinzufügen
security-keys-host-name = Sicherheitsschlüssel funktionieren, wenn Tessera über seinen Hostnamen aufgerufen wird.
security-default-method = Standard-Bestätigungsmethode
security-default-legend = Die Anmeldung bietet diese Methode zuerst an
security-save-default = Standard speichern
security-phone-code-gone = Dieser Code funktioniert nicht mehr (er ist abgelaufen oder wurde zu oft falsch eingegeben). Fügen Sie die Nummer erneut hinzu, um einen neuen Code zu erhalten.
security-done-phone-added = Die Telefonnummer wurde bestätigt und hinzugefügt.
security-done-phone-removed = Die Telefonnummer wurde gelöscht.
security-done-phone-default = Codes gehen jetzt zuerst an diese Nummer.
security-done-app-added = Die Authenticator-App wurde hinzugefügt.
security-done-app-removed = Die Authenticator-App wurde entfernt.
security-done-key-added = Ein Sicherheitsschlüssel wurde hinzugefügt.
security-done-key-removed = Der Sicherheitsschlüssel wurde entfernt.
security-done-default = Ihre Standard-Bestätigungsmethode wurde gespeichert.

## Telefonnummer bestätigen
phone-confirm-title = Telefonnummer bestätigen
phone-confirm-heading = Bestätigen Sie Ihre Telefonnummer
phone-confirm-sent = Wir haben eine SMS mit einem Code gesendet an
phone-confirm-code = Code aus der SMS
phone-confirm-code-hint = Acht Buchstaben und Ziffern in der Form XXXX-XXXX. Der Code läuft nach drei Minuten ab.

## Sicherheitsschlüssel hinzufügen
key-new-title = Sicherheitsschlüssel hinzufügen
key-new-heading = Sicherheitsschlüssel oder vertrauenswürdige Plattform hinzufügen
key-new-intro = Geben Sie dem Schlüssel einen Namen und folgen Sie dann Ihrem Browser: Berühren Sie den Schlüssel, wenn er blinkt, oder bestätigen Sie mit der Bildschirmsperre dieses Geräts, um einen Passkey darauf zu speichern.
key-new-needs-javascript = Zum Hinzufügen eines Sicherheitsschlüssels wird JavaScript benötigt.
key-new-name = Name des Schlüssels
key-new-name-hint = Zum Beispiel „Blauer Schlüssel“ oder „Laptop“.
key-new-add = Schlüssel hinzufügen

## Authenticator-App hinzufügen
app-new-title = Authenticator-App hinzufügen
app-new-heading = Authenticator-App „{ $name }“ hinzufügen
app-new-scan = Fügen Sie in Ihrer Authenticator-App ein Konto hinzu und scannen Sie diesen QR-Code.
app-new-type = Geben Sie die sechs Ziffern ein, die die App für Tessera anzeigt.
app-new-qr = QR-Code zum Scannen mit Ihrer Authenticator-App
app-new-no-camera = Keine Kamera? Geben Sie stattdessen diesen Schlüssel in der App ein (zeitbasiert):
app-new-code = Von der App angezeigter Code

## Meine Sitzungen
sessions-title = Meine Sitzungen
sessions-intro = Wo Sie gerade angemeldet sind. Wenn Sie eine Sitzung nicht wiedererkennen, melden Sie sie ab und ändern Sie Ihr Passwort.
sessions-caption = Offene Sitzungen
sessions-device = Browser und Gerät
sessions-address = Adresse
sessions-started = Begonnen
sessions-last-used = Zuletzt verwendet
sessions-applications = Verwendete Anwendungen
sessions-action = Aktion
sessions-this-browser = (dieser Browser)
sessions-browser-on = { $browser } unter { $system }
sessions-a-browser-on = Ein Browser unter { $system }
sessions-unknown-device = Unbekanntes Gerät
sessions-unknown-address = unbekannt
sessions-no-applications = noch keine

## Meine Anwendungen
apps-title = Meine Anwendungen
apps-none = Sie haben noch keine Anwendungen. Die Zugangsverwaltung Ihrer Organisation kann Ihnen Zugang gewähren.
environment-production = Produktion
environment-pre_production = Vorproduktion

## Passwort ändern
password-title = Passwort ändern
password-submit = Passwort ändern
password-current = Aktuelles Passwort
password-new = Neues Passwort
password-confirm = Neues Passwort bestätigen
password-rules = Mindestens { $min } Zeichen aus drei dieser Gruppen: Großbuchstaben, Kleinbuchstaben, Ziffern, Sonderzeichen (ein Leerzeichen zählt). Nicht Ihr Name oder Ihre E-Mail-Adresse.
