"""The service's core: what every feature and auth stand on, importing none of them.

Database and transactions (db), the clock of requests (clock), domain errors (domain) and the
one error shape they map to (errors), settings (config), OpenAPI (openapi), the page shell
(pages, with core/base.html), the service bundle from `oqu build` (service_bundle), the
interface languages (i18n), migrations (migrations) and the walk over the service's packages
that finds each feature's models, migrations and commands (packages). See CONTRIBUTING.md
for the layers and the recipe of a new feature.
"""
