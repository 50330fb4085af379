## Das CAPTCHA-Feld eines Formulars
captcha-label = Code eingeben
captcha-hint = Geben Sie die Buchstaben und Ziffern aus dem Bild ein (groß oder klein), oder hören Sie sie sich an. Ihr Browser kann dies auch selbst prüfen: Dann können Sie das Feld leer lassen.
captcha-image-alt = Ein Bild des Codes. Wenn Sie es nicht sehen können, nutzen Sie „Code anhören“.
captcha-listen = Code anhören
captcha-new = Neuer Code
captcha-js-type = Geben Sie den Code aus dem Bild ein, oder hören Sie ihn sich an.
captcha-js-working = Ihr Browser prüft, dass Sie ein Mensch sind. Sie können das Formular weiter ausfüllen.
captcha-js-done = Fertig: Ihr Browser hat die Prüfung beantwortet. Sie müssen den Code nicht eingeben.
captcha-js-progress = Ihr Browser prüft, dass Sie ein Mensch sind: etwa {"{"}share{"}"} % erledigt.
captcha-js-fetching = Ein neuer Code wird geholt …
captcha-js-busy = Im Moment kann kein neuer Code ausgegeben werden. Warten Sie eine Minute und versuchen Sie es dann erneut.
captcha-js-offline = Im Moment kann kein neuer Code ausgegeben werden. Prüfen Sie Ihre Verbindung.
