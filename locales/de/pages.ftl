# Seitentexte auf Deutsch.

language-name = Deutsch
language-menu = Sprache
skip-to-content = Zum Inhalt springen
tagline = Identitätsportal
footer = Tessera Identitätsportal
error-summary = Bitte korrigieren Sie Folgendes

## Anmeldung
signin-title = Anmelden
signin-heading = Melden Sie sich an, um fortzufahren
signin-email = E-Mail-Adresse
signin-email-placeholder = Geben Sie Ihre E-Mail-Adresse ein
signin-create-account = Konto erstellen
signin-next = Weiter >
signin-passkey = Mit einem Passkey anmelden

## Fehler nach Feld und Code
error-email-invalid = Geben Sie eine E-Mail-Adresse wie name@beispiel.org ein.
error-email-required = Geben Sie Ihre E-Mail-Adresse ein.
error-required = Dieses Feld ist erforderlich.
