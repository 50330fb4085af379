# Mon compte, « Applications que vous avez autorisées » : les consentements donnés aux clients
# OpenID Connect tiers, et leur retrait.

consents-title = Applications que vous avez autorisées
consents-account-hint = {" "}: ce qu'elles peuvent voir de vous
consents-intro = Les applications que vous avez autorisées à recevoir vos données lorsque vous vous y connectez. Si vous retirez un consentement, l'application vous le demandera de nouveau à votre prochaine connexion.
consents-caption = Vos consentements
consents-application = Application
consents-client = Client
consents-may-see = Ce qu'elle peut voir
consents-since = Depuis
consents-action = Action
consents-withdraw = Retirer
consents-none = Vous n'avez autorisé aucune application à recevoir vos données.
consents-done-withdrawn = Votre consentement a été retiré. L'application vous le demandera de nouveau à votre prochaine connexion.
# L'application et son environnement, par exemple « CASPER (Production) ».
consents-application-in = { $application } ({ $environment })

## Ce qu'un client peut voir, par scope : les mots de la page de consentement.
consents-scope-openid = Savoir qui vous êtes
consents-scope-profile = Voir votre nom
consents-scope-email = Voir votre adresse e-mail
consents-scope-phone = Voir votre numéro de téléphone
consents-scope-groups = Voir vos appartenances à { $application }

## La page de consentement à la connexion : une application tierce demande avant de recevoir des données.
consent-title = Autoriser { $client } ?
consent-heading = { $client } de { $application } souhaite :
consent-advice = N'autorisez que si vous faites confiance à cette application. Vous pourrez retirer votre consentement plus tard dans Mon compte, sous « Applications que vous avez autorisées ».
consent-allow = Autoriser
consent-deny = Refuser
