# Mein Konto, „Von Ihnen zugelassene Anwendungen“: die Einwilligungen für OpenID-Connect-Clients
# Dritter, und ihr Widerruf.

consents-title = Von Ihnen zugelassene Anwendungen
consents-account-hint = : was sie über Sie sehen dürfen
consents-intro = Anwendungen, denen Sie erlaubt haben, bei der Anmeldung Ihre Daten zu erhalten. Wenn Sie eine Einwilligung widerrufen, fragt die Anwendung Sie bei der nächsten Anmeldung erneut.
consents-caption = Ihre Einwilligungen
consents-application = Anwendung
consents-client = Client
consents-may-see = Was sie sehen darf
consents-since = Seit
consents-action = Aktion
consents-withdraw = Widerrufen
consents-none = Sie haben keiner Anwendung erlaubt, Ihre Daten zu erhalten.
consents-done-withdrawn = Ihre Einwilligung wurde widerrufen. Die Anwendung fragt Sie bei der nächsten Anmeldung erneut.
# Die Anwendung und ihre Umgebung, z. B. „CASPER (Produktion)“.
consents-application-in = { $application } ({ $environment })

## Was ein Client sehen darf, je Scope: die Worte der Einwilligungsseite.
consents-scope-openid = Wissen, wer Sie sind
consents-scope-profile = Ihren Namen sehen
consents-scope-email = Ihre E-Mail-Adresse sehen
consents-scope-phone = Ihre Telefonnummer sehen
consents-scope-groups = Ihre Mitgliedschaften in { $application } sehen

## Die Einwilligungsseite bei der Anmeldung: eine Anwendung Dritter fragt, bevor sie Daten erhält.
consent-title = { $client } erlauben?
consent-heading = { $client } von { $application } möchte:
consent-advice = Erlauben Sie es nur, wenn Sie dieser Anwendung vertrauen. Sie können Ihre Einwilligung später in Mein Konto unter „Von Ihnen zugelassene Anwendungen“ widerrufen.
consent-allow = Erlauben
consent-deny = Ablehnen
