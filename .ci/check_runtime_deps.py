"""Every module of the package imports with only the runtime dependencies installed.

CI installs the `dev` extra for the tests, which would hide a runtime import of a dev-only
package; this runs in a separate environment made with a plain `pip install .`.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import confiance

failures = []
for module in pkgutil.walk_packages(confiance.__path__, "confiance."):
    if module.name.startswith("confiance.store.migrations.") or module.name.endswith("__main__"):
        continue  # Alembic scripts run only inside Alembic; __main__ modules run, not import
    try:
        importlib.import_module(module.name)
    except Exception as error:
        failures.append(f"{module.name}: {type(error).__name__}: {error}")
print("\n".join(failures) or "every module imports with the runtime dependencies alone")
sys.exit(1 if failures else 0)
