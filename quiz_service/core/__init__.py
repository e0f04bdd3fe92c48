"""The service's core: what every feature and auth stand on, importing none of them.

Database and transactions (db), the one error shape (errors), settings (config), OpenAPI
(openapi), the service bundle from `oqu build` (service_bundle) and the interface languages
(i18n). See CONTRIBUTING.md for the layers.
"""
