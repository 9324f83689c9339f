"""Where the OpenAPI page's Swagger UI comes from: the fastapi-offline package's copy, not a CDN."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline

SWAGGER_ASSETS = Path(fastapi_offline.__file__).parent / "static"
