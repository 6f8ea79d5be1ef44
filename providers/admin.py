from django.contrib import admin  # noqa: F401

# --- Importers (issue #5): upload → dry-run report → confirm; the taxonomy mapping. --------
# admin_import registers its own ModelAdmins (ImportRun, TaxonomyMapping); keep this line.
from providers import admin_import  # noqa: E402, F401
