/**
 * The commented example config that `esms init` writes. Every key is explained in French and English and
 * shows its default; secrets appear only as `{ env }` / `{ file }` references. A test loads it through
 * `loadConfig`, so it always validates.
 */
export const EXAMPLE_CONFIG_YAML = `# Configuration de l'agent ESMS numérique / ESMS numérique agent configuration
#
# Vérifier / check:  esms validate-config --config <ce fichier / this file>
# Les chemins relatifs partent du dossier de ce fichier.
# Relative paths are resolved against this file's directory.
# Les secrets ne sont jamais écrits ici : seulement { env: VARIABLE } ou { file: ./chemin }.
# Secrets are never written here: only { env: VARIABLE } or { file: ./path } references.

# ESSMS pour lesquels l'agent déclare, par FINESS géographique (9 caractères, entre guillemets ; 2A/2B admis).
# The ESSMS this agent reports for, by FINESS géographique (9 characters, quoted; 2A/2B allowed).
establishments:
  - finess: "970400024"            # à remplacer / replace with yours
    # Fuseau horaire, si celui déduit du FINESS ne convient pas (nom IANA).
    # Time zone override when the one derived from the FINESS is wrong (IANA name).
    # timezone: Indian/Reunion

# D'où viennent les dossiers (au moins une source). / Where the records come from (at least one source).
sources:
  # Serveur FHIR R4 du DUI. / The DUI's FHIR R4 server.
  - type: fhir
    baseUrl: https://dui.example.org/fhir    # à remplacer / replace
    # Authentification / authentication, one of:
    #   { type: none }
    #   { type: bearer, token: { env: DUI_TOKEN } }   or   token: { file: ./secrets/dui-token }
    #   { type: oauth2-client-credentials, tokenUrl: https://…/token, clientId: esms-agent,
    #     clientSecret: { env: DUI_CLIENT_SECRET }, scope: "system/*.read" }
    #   { type: tls-client-certificate, cert: ./certs/agent.crt, key: ./certs/agent.key,
    #     ca: ./certs/ca.pem, passphrase: { env: DUI_KEY_PASSPHRASE } }   (ca et passphrase facultatifs / optional)
    auth:
      type: bearer
      token: { env: DUI_TOKEN }
    pageSize: 500          # ressources par page (_count) / resources per page
    concurrency: 4         # requêtes simultanées / requests in flight
    timeoutMs: 30000       # délai par requête (ms) / per-request timeout
    proxy: null           # null: variables HTTPS_PROXY / HTTP_PROXY / NO_PROXY ; sinon / else "http://proxy:3128"

  # Fichiers NDJSON (export FHIR Bulk Data), Bundles ou ressources JSON : fichiers ou dossiers.
  # NDJSON files (FHIR Bulk Data export), JSON Bundles or resources: files or directories.
  # - type: ndjson
  #   paths: [ ./export ]

# Quand le démon tourne (cron, 5 champs). Par défaut le 1er du mois à 05:00.
# When the daemon runs (cron, 5 fields). Default: 05:00 on the 1st of each month.
schedule:
  cron: "0 5 1 * *"
  timezone: Europe/Paris   # fuseau du cron et de la date de mesure / time zone of the cron and the measure date
  catchUp: true            # rattraper au démarrage une exécution manquée / run a missed run on start

# Date de mesure D : le 1er du mois courant, ou une date fixe (rejouer une période passée).
# Measure date D: the 1st of the current month, or a fixed date (re-running a past period).
measureDate:
  rule: first-day-of-current-month
  # rule: fixed
  # date: "2024-04-01"

# Options de calcul (décisions nommées de la définition des indicateurs).
# Computation options (the named decisions of the indicators' definition).
computation:
  denominatorScope: period               # period | calendar-year (file active de l'année / of the year)
  countCancelledEvents: true             # un événement annulé était dans l'agenda / a cancelled event was in the agenda
  finessMode: lenient                    # lenient: clé FINESS fausse = avertissement / bad key = warning; strict: exclu / excluded
  projectStartDate: null                 # "YYYY-MM-DD": début du projet e-parcours / e-parcours project start
  allCarePlansAreProjetPersonnalise: false  # true si le DUI n'utilise CarePlan que pour le projet personnalisé

# Point de collecte de l'ARS. Supprimer (ou null) pour ne rien envoyer : les chiffres sont scellés
# et exportables (esms export) pour un dépôt sur le portail.
# The ARS collection endpoint. Remove it (or set null) to submit nothing: figures are sealed and can
# be exported (esms export) for a portal upload.
ars:
  endpoint: https://collecte.ars.example/fhir    # à remplacer / replace
  auth:                                          # mêmes formes que pour les sources / same forms as sources
    type: bearer
    token: { env: ESMS_ARS_TOKEN }
  proxy: null              # null: variables HTTPS_PROXY / NO_PROXY ; sinon / else "http://proxy:3128"
  timeoutMs: 30000
  retry:                   # erreurs passagères : nouvel essai avec attente croissante / transient errors: backoff
    initialDelayMs: 1000
    maxDelayMs: 3600000    # une heure au plus entre deux essais / at most an hour between attempts
    deadlineHours: 72      # au-delà, signalé comme en retard / past this, reported as overdue
    maxAttempts: null      # null: pas de limite hors délai / no limit but the deadline

# Données de l'agent : file d'envoi, historique des exécutions, preuves.
# The agent's data: outbox, run records, evidence.
dataDir: ./esms-data

evidence:
  retentionYears: 10       # durée de conservation minimale / how long evidence must be kept
  deleteExpired: false     # rien n'est jamais supprimé sans true / nothing is ever deleted unless true

# Alertes quand une exécution échoue ou qu'un envoi est gardé en échec (refusé, ou en retard à son
# échéance) : un webhook (POST JSON) et/ou une commande (le même JSON sur son entrée standard).
# Le document ne contient que des agrégats (FINESS, chiffres, codes d'erreur), jamais une personne.
# Alerts when a run fails or a submission is kept as failed (refused, or overdue at its deadline): a
# webhook (JSON POST) and/or a command (the same JSON on its standard input). Aggregates only.
alerts:
  webhook: null            # { url: https://supervision.example/hooks/esms, token: { env: ESMS_ALERT_TOKEN } }
  command: null            # [ /usr/local/bin/esms-alert, --to, it@essms.example ]
  timeoutMs: 10000

logging:
  level: info              # fatal | error | warn | info | debug | trace | silent
  format: auto             # auto (lisible sur un terminal, JSON sinon / readable on a terminal, JSON otherwise) | json | pretty
`;
