"""mashang (码上办): the Chalice app. It only creates the app and registers the blueprints."""
from __future__ import annotations

from typing import Any

from chalice import Chalice

from chalicelib.api.admin import admin
from chalicelib.api.citizen import citizen
from chalicelib.api.console import console
from chalicelib.api.cors import add_preflights
from chalicelib.api.errors import api_answers
from chalicelib.api.forms import forms
from chalicelib.api.open311 import open311_routes
from chalicelib.api.search import search_routes
from chalicelib.observability import logger
from chalicelib.tasks.handlers import tasks

app = Chalice(app_name="mashang")
app.register_blueprint(citizen)
app.register_blueprint(console)
app.register_blueprint(admin)
app.register_blueprint(forms)
app.register_blueprint(open311_routes)
app.register_blueprint(search_routes)
app.register_blueprint(tasks)
add_preflights(app)
app.register_middleware(api_answers, "http")


@app.middleware("all")
def structured_logs(event: Any, get_response: Any) -> Any:
    logger.clear_state()
    return get_response(event)
