"""The role matrix: every URL pattern of the project, each method tested, and the status each role gets.

One row per (URL name, method): `R(name, method, kwargs, "anon dispatcher leader leader2 worker worker2 manager
admin")`. Columns: anonymous; dispatcher; leader of the order's crew; leader of another crew; the worker the order
is assigned to; another worker of the same crew (not assigned); manager; superuser (admin, no group).
kwargs: "pk=@order,move=accept" (`@name` is an object of the world below, other values are literal).
Each cell runs in its own savepoint, rolled back after, so a POST of one role does not change the next cell.

A URL pattern with no row fails `test_every_url_pattern_has_a_row`: add the row (one line) when adding a URL.
Skipped on purpose (SKIPPED_PREFIXES): admin/ (Django admin: staff only, its own permission system),
static/ and media/ (served files), i18n/ (Django's set_language), api/schema/, api/docs/, api/redoc/
(the public API description). DRF's format-suffix routes (`….json`) share their name with the row that tests
the plain route.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories as f

COLUMNS = ("anon", "dispatcher", "leader", "leader2", "worker", "worker2", "manager", "admin")
SKIPPED_PREFIXES = ("admin/", "static/", "media/", "i18n/", "api/schema/", "api/docs/", "api/redoc/")


@dataclass(frozen=True)
class R:
    name: str
    method: str
    kwargs: str
    expected: str
    data: dict = field(default_factory=dict)

    @property
    def statuses(self) -> dict[str, int]:
        codes = [int(code) for code in self.expected.split()]
        assert len(codes) == len(COLUMNS), (
            f"{self.name} {self.method}: {len(codes)} cells, need {len(COLUMNS)}"
        )
        return dict(zip(COLUMNS, codes, strict=True))

    @property
    def id(self) -> str:
        return f"{self.method} {self.name} {self.kwargs}".strip()


# fmt: off
ROWS = [
    # name                             method  kwargs                                anon dis lead ld2 wrk wk2 mgr adm
    R("home",                            "GET",  "",                                  "302 302 302 302 302 302 302 200"),
    R("overview",                        "GET",  "",                                  "302 200 200 200 200 200 200 200"),
    R("login",                           "GET",  "",                                  "200 302 302 302 302 302 302 302"),
    R("login",                           "POST", "",                                  "200 302 302 302 302 302 302 302"),
    R("logout",                          "POST", "",                                  "302 302 302 302 302 302 302 302"),
    R("workorders:crew_queue",           "GET",  "",                                  "302 404 200 200 404 404 404 404"),
    R("workorders:mine",                 "GET",  "",                                  "302 404 404 404 200 200 404 404"),
    R("workorders:open_on_the_spot",     "GET",  "",                                  "302 404 200 200 200 200 404 404"),
    R("workorders:stacked",              "GET",  "pk=@order",                         "302 200 200 404 200 404 200 200"),
    R("workorders:profile",              "GET",  "",                                  "302 404 200 200 200 200 404 404"),
    R("workorders:profile",              "POST", "",                                  "302 404 302 302 302 302 404 404", {"sms_notices": "on"}),
    R("workorders:detail",               "GET",  "pk=@order",                         "302 200 200 404 200 404 200 200"),
    R("workorders:slip",                 "GET",  "pk=@order",                         "302 200 200 404 200 404 200 200"),
    R("workorders:complete",             "GET",  "pk=@order",                         "302 403 403 404 302 404 403 403"),
    R("workorders:complete",             "POST", "pk=@order",                         "302 403 403 404 302 404 403 403"),
    R("workorders:add_photos",           "POST", "pk=@order",                         "302 302 302 404 302 404 302 302", {"photos": "@png", "kind": "before"}),
    R("workorders:photo",                "GET",  "pk=@order,photo_pk=@photo",         "302 200 200 404 200 404 200 200"),
    R("workorders:move",                 "POST", "pk=@order,move=arrive",             "302 403 403 404 302 404 403 403"),
    R("workorders:move",                 "POST", "pk=@order,move=request_hold",       "302 400 400 404 400 404 400 400"),
    R("workorders:move",                 "POST", "pk=@order,move=assign",             "302 400 400 404 400 404 400 400"),
    R("workorders:move",                 "POST", "pk=@order,move=transfer",           "302 400 400 404 400 404 400 400"),
    R("workorders:move",                 "POST", "pk=@order,move=hand_back",          "302 400 400 404 400 404 400 400"),
    R("workorders:move",                 "POST", "pk=@order,move=cancel",             "302 400 400 404 400 404 400 400"),
    R("workorders:move",                 "POST", "pk=@order,move=remind",             "302 302 403 404 403 404 302 302"),
    R("workorders:move",                 "POST", "pk=@order,move=supervise",          "302 400 400 404 400 404 400 400"),
    R("workorders:move",                 "POST", "pk=@order,move=close",              "302 302 302 404 302 404 302 302"),
    R("workorders:move",                 "POST", "pk=@order,move=extend",             "302 403 403 404 403 404 400 400"),
    R("workorders:move",                 "POST", "pk=@order,move=bogus",              "302 404 404 404 404 404 404 404"),
    R("hotline:intake",                  "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:intake",                  "POST", "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:window",                  "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:intake-check",            "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:lookup",                  "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("search",                          "GET",  "",                                  "302 400 400 400 400 400 400 400"),  # no q: 400 with the reason
    R("hotline:register-caller",         "POST", "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:room-options",            "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:board",                   "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:calls",                   "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:inbox",                   "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:incident-new",            "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:incident-new",            "POST", "",                                  "302 200 403 403 403 403 200 200"),
    R("hotline:board-action",            "POST", "pk=@order,action=dispatch",         "302 302 403 403 403 403 302 302"),
    R("hotline:board-action",            "POST", "pk=@order,action=transfer",         "302 302 403 403 403 403 302 302"),
    R("hotline:board-action",            "POST", "pk=@order,action=cancel",           "302 302 403 403 403 403 302 302"),
    R("hotline:board-action",            "POST", "pk=@order,action=supervise",        "302 302 403 403 403 403 302 302"),
    R("hotline:board-action",            "POST", "pk=@order,action=bogus",            "302 404 403 403 403 403 404 404"),
    R("hotline:call-close",              "POST", "pk=@call",                          "302 302 403 403 403 403 302 302"),
    R("hotline:call",                    "GET",  "pk=@call",                          "302 200 403 403 403 403 200 200"),
    R("hotline:call-hand-over",          "POST", "pk=@call",                          "302 302 403 403 403 403 302 302"),
    R("hotline:call-answer",             "POST", "pk=@call",                          "302 302 403 403 403 403 302 302"),
    R("hotline:ringing",                 "GET",  "",                                  "204 204 204 204 204 204 204 204"),
    R("hotline:intake-times",            "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("favicon",                         "GET",  "",                                  "301 301 301 301 301 301 301 301"),
    R("feedback:queue",                  "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("feedback:follow-up",              "GET",  "pk=@follow_up",                     "302 200 403 403 403 403 200 200"),
    R("feedback:follow-up",              "POST", "pk=@follow_up",                     "302 200 403 403 403 403 200 200"),
    R("feedback:follow-up-complaint",    "POST", "pk=@follow_up",                     "302 302 403 403 403 403 302 302"),
    R("feedback:follow-up-praise",       "POST", "pk=@follow_up",                     "302 302 403 403 403 403 302 302"),
    R("feedback:rate",                   "GET",  "token=@token",                      "200 200 200 200 200 200 200 200"),
    R("feedback:rate",                   "POST", "token=@token",                      "200 200 200 200 200 200 200 200"),
    R("feedback:rate",                   "GET",  "token=nope",                        "404 404 404 404 404 404 404 404"),
    R("feedback:complaints",             "GET",  "",                                  "302 200 200 200 403 403 200 200"),
    R("feedback:complaint-create",       "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("feedback:complaint-create",       "POST", "",                                  "302 200 403 403 403 403 200 200"),
    R("feedback:complaint",              "GET",  "pk=@complaint",                     "302 200 200 404 403 403 200 200"),
    R("feedback:complaint-action",       "POST", "pk=@complaint,action=investigate",  "302 403 403 404 404 404 302 302"),
    R("feedback:complaint-action",       "POST", "pk=@complaint,action=resolve",      "302 403 403 404 404 404 400 400"),
    R("feedback:complaint-action",       "POST", "pk=@complaint,action=close",        "302 403 403 404 404 404 400 400"),
    R("feedback:complaint-action",       "POST", "pk=@complaint,action=bogus",        "302 403 403 404 404 404 404 404"),
    R("feedback:alert-ack",              "POST", "pk=@alert",                         "302 403 403 403 403 403 302 302"),
    R("feedback:praise",                 "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("operations:outage_list",          "GET",  "",                                  "302 200 200 200 200 200 200 200"),
    R("operations:outage_new",           "GET",  "",                                  "302 403 200 200 403 403 200 200"),
    R("operations:outage_new",           "POST", "",                                  "302 403 200 200 403 403 200 200"),
    R("operations:outage_affected",      "GET",  "",                                  "302 403 200 200 403 403 200 200"),
    R("operations:outage_detail",        "GET",  "pk=@outage",                        "302 200 200 200 200 200 200 200"),
    R("operations:outage_extend",        "POST", "pk=@outage",                        "302 302 302 403 403 403 302 302"),
    R("operations:outage_end",           "POST", "pk=@outage",                        "302 302 302 403 403 403 302 302"),
    R("operations:round_list",           "GET",  "",                                  "302 404 200 200 200 200 200 200"),
    R("operations:template_list",        "GET",  "",                                  "302 404 200 200 404 404 200 200"),
    R("operations:template_new",         "GET",  "",                                  "302 404 404 404 404 404 200 200"),
    R("operations:template_new",         "POST", "",                                  "302 404 404 404 404 404 200 200"),
    R("operations:template_edit",        "GET",  "pk=@template",                      "302 404 404 404 404 404 200 200"),
    R("operations:template_edit",        "POST", "pk=@template",                      "302 404 404 404 404 404 200 200"),
    R("operations:template_active",      "POST", "pk=@template",                      "302 404 404 404 404 404 302 302"),
    R("operations:round_detail",         "GET",  "pk=@round",                         "302 404 200 404 200 200 200 200"),
    R("operations:round_start",          "POST", "pk=@round",                         "302 404 302 404 302 302 403 403"),
    R("operations:round_record",         "POST", "pk=@round",                         "302 404 302 404 302 302 302 302"),
    R("operations:round_finish",         "POST", "pk=@round",                         "302 404 302 404 302 302 403 403"),
    R("operations:round_photo",          "GET",  "pk=@walked,item_pk=@round_photo",   "302 404 200 404 200 200 200 200"),
    R("operations:hazard_list",          "GET",  "",                                  "302 200 200 200 200 200 200 200"),
    R("operations:hazard_detail",        "GET",  "pk=@hazard",                        "302 200 200 404 200 200 200 200"),
    R("operations:hazard_detail",        "POST", "pk=@hazard",                        "302 404 404 404 404 404 404 404"),
    R("operations:hazard_new",           "GET",  "",                                  "302 200 200 200 200 200 200 200"),
    R("operations:hazard_new",           "POST", "",                                  "302 200 200 200 200 200 200 200"),
    R("operations:place_options",        "GET",  "",                                  "302 200 200 200 200 200 200 200"),
    R("operations:hazard_photo",         "GET",  "pk=@hazard",                        "302 200 200 404 200 200 200 200"),
    R("outages_public",                  "GET",  "",                                  "200 200 200 200 200 200 200 200"),
    R("feedback:inspections",            "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:inspection",             "GET",  "pk=@inspection",                    "302 403 403 403 403 403 200 200"),
    R("feedback:inspection",             "POST", "pk=@inspection",                    "302 403 403 403 403 403 200 200"),
    R("feedback:dashboard",              "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:report-satisfaction",    "GET",  "",                                  "302 200 403 403 403 403 200 200"),
    R("feedback:report-sla",             "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:report-volume",          "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:report-rounds",          "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:report-hazards",         "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:report-outages",         "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:report-infrastructure",  "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:assessment",             "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:assessment",             "POST", "",                                  "302 403 403 403 403 403 302 302"),
    R("feedback:assessment-weights",     "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:assessment-weights",     "POST", "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:rewards",                "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:rewards",                "POST", "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:export-orders",          "GET",  "",                                  "302 200 200 200 200 200 200 200"),
    R("feedback:export-room-options",    "GET",  "",                                  "302 200 200 200 200 200 200 200"),
    R("feedback:report-orders",          "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("feedback:export",                 "GET",  "pk=@export",                        "302 404 404 404 404 404 200 404"),
    R("feedback:export-download",        "GET",  "pk=@export",                        "302 404 404 404 404 404 200 404"),
    R("report-satisfaction-list",        "GET",  "",                                  "401 200 403 403 403 403 200 200"),
    R("report-sla-list",                 "GET",  "",                                  "401 403 403 403 403 403 200 200"),
    R("report-assessment-list",          "GET",  "",                                  "401 403 403 403 403 403 200 200"),
    R("crews:imports",                   "GET",  "",                                  "302 403 403 403 403 403 200 200"),
    R("crews:imports",                   "POST", "",                                  "302 403 403 403 403 403 400 400"),
    R("crews:import",                    "GET",  "pk=@import_job",                    "302 403 403 403 403 403 200 200"),
    R("crews:import-confirm",            "POST", "pk=@import_job",                    "302 403 403 403 403 403 302 302"),
    R("crews:import-resume",             "POST", "pk=@import_job",                    "302 403 403 403 403 403 302 302"),
    R("crews:import-errors",             "GET",  "pk=@import_job",                    "302 403 403 403 403 403 200 200"),
    R("crews:import-template",           "GET",  "kind=@import_kind",                 "302 403 403 403 403 403 200 200"),
    R("crews:register-export",           "GET",  "kind=@import_kind",                 "302 403 403 403 403 403 200 200"),
    R("import-list",                     "GET",  "",                                  "401 403 403 403 403 403 200 200"),
    R("import-list",                     "POST", "",                                  "401 403 403 403 403 403 400 400"),
    R("import-detail",                   "GET",  "pk=@import_job",                    "401 403 403 403 403 403 200 200"),
    R("import-confirm",                  "POST", "pk=@import_job",                    "401 403 403 403 403 403 200 200"),
    R("import-errors",                   "GET",  "pk=@import_job",                    "401 403 403 403 403 403 200 200"),
    R("import-templates",                "GET",  "kind=@import_kind",                 "401 403 403 403 403 403 200 200"),
    R("api-token",                       "POST", "",                                  "400 400 400 400 400 400 400 400"),
    R("api-logout",                      "POST", "",                                  "401 400 400 400 400 400 400 400"),
    R("api-root",                        "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("district-list",                   "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("district-detail",                 "GET",  "pk=@district",                      "401 200 200 200 200 200 200 200"),
    R("building-list",                   "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("building-detail",                 "GET",  "pk=@building",                      "401 200 200 200 200 200 200 200"),
    R("unit-list",                       "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("unit-detail",                     "GET",  "pk=@unit",                          "401 200 200 200 200 200 200 200"),
    R("room-list",                       "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("room-detail",                     "GET",  "pk=@room",                          "401 200 200 200 200 200 200 200"),
    R("facility-list",                   "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("facility-detail",                 "GET",  "pk=@facility",                      "401 200 200 200 200 200 200 200"),
    R("resident-list",                   "GET",  "",                                  "401 200 403 403 403 403 200 200"),
    R("resident-detail",                 "GET",  "pk=@resident",                      "401 200 403 403 403 403 200 200"),
    R("crew-list",                       "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("crew-detail",                     "GET",  "pk=@crew",                          "401 200 200 200 200 200 200 200"),
    R("worker-list",                     "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("worker-detail",                   "GET",  "pk=@worker",                        "401 200 200 200 200 200 200 200"),
    R("room-resolve",                    "GET",  "",                                  "401 400 400 400 400 400 400 400"),
    R("resident-list",                   "POST", "",                                  "401 400 403 403 403 403 403 400"),
    R("work-order-list",                 "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("work-order-list",                 "POST", "",                                  "401 400 403 403 403 403 400 400"),
    R("work-order-detail",               "GET",  "pk=@order",                         "401 200 200 404 200 404 200 200"),
    R("work-order-events",               "GET",  "pk=@order",                         "401 200 200 404 200 404 200 200"),
    R("work-order-attachments",          "POST", "pk=@order",                         "401 201 201 404 201 404 201 201", {"file": "@png", "kind": "before"}),
    R("work-order-accept",               "POST", "pk=@order",                         "401 409 409 404 200 404 409 409"),
    R("work-order-arrive",               "POST", "pk=@order",                         "401 403 403 404 200 404 403 403"),
    R("work-order-assign",               "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-cancel",               "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-close",                "POST", "pk=@order",                         "401 409 409 404 409 404 409 409"),
    R("work-order-complete",             "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-dispatch",             "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-extend",               "POST", "pk=@order",                         "401 403 403 404 403 404 400 400"),
    R("work-order-hand-back",            "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-hold",                 "POST", "pk=@order",                         "401 403 400 404 403 404 400 400"),
    R("work-order-refuse-hold",          "POST", "pk=@order",                         "401 403 400 404 403 404 400 400"),
    R("work-order-remind",               "POST", "pk=@order",                         "401 200 403 404 403 404 200 200"),
    R("work-order-request-extension",    "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-request-hold",         "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-resume",               "POST", "pk=@order",                         "401 409 409 404 409 404 409 409"),
    R("work-order-rework",               "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-supervise",            "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("work-order-transfer",             "POST", "pk=@order",                         "401 400 400 404 400 404 400 400"),
    R("incident-list",                   "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("incident-list",                   "POST", "",                                  "401 400 403 403 403 403 400 400"),
    R("outage-list",                     "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("outage-list",                     "POST", "",                                  "401 403 400 400 403 403 400 400"),
    R("outage-detail",                   "GET",  "pk=@outage",                        "401 200 200 200 200 200 200 200"),
    R("outage-extend",                   "POST", "pk=@outage",                        "401 400 400 403 403 403 400 400"),
    R("outage-end",                      "POST", "pk=@outage",                        "401 200 200 403 403 403 200 200"),
    R("outage-notices",                  "GET",  "pk=@outage",                        "401 200 200 200 200 200 200 200"),
    R("round-template-list",             "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("round-template-list",             "POST", "",                                  "401 403 403 403 403 403 400 400"),
    R("round-list",                      "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("round-detail",                    "GET",  "pk=@round",                         "401 404 200 404 200 200 200 200"),
    R("round-start",                     "POST", "pk=@round",                         "401 404 200 404 200 200 403 403"),
    R("round-record",                    "POST", "pk=@round",                         "401 404 400 404 400 400 400 400"),
    R("round-finish",                    "POST", "pk=@round",                         "401 404 409 404 409 409 403 403"),
    R("hazard-list",                     "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("hazard-list",                     "POST", "",                                  "401 400 400 400 400 400 400 400"),
    R("hazard-detail",                   "GET",  "pk=@hazard",                        "401 200 200 404 200 200 200 200"),
    R("hazard-start-rectifying",         "POST", "pk=@hazard",                        "401 403 200 404 200 200 200 200"),
    R("hazard-mark-rectified",           "POST", "pk=@hazard",                        "401 403 409 404 409 409 409 409"),
    R("hazard-verify",                   "POST", "pk=@hazard",                        "401 403 409 404 403 403 409 409"),
    R("hazard-to-work-order",            "POST", "pk=@hazard",                        "401 201 201 404 403 403 201 201"),
    R("category-list",                   "GET",  "",                                  "401 200 200 200 200 200 200 200"),
    R("hotline-lookup-list",             "GET",  "",                                  "401 400 403 403 403 403 400 400"),
    R("search-list",                     "GET",  "",                                  "401 400 400 400 400 400 400 400"),  # no q
    R("call-list",                       "GET",  "",                                  "401 200 403 403 403 403 200 200"),
    R("call-list",                       "POST", "",                                  "401 400 403 403 403 403 400 400"),
    R("call-detail",                     "GET",  "pk=@call",                          "401 200 403 403 403 403 200 200"),
    R("call-hand-over",                  "POST", "pk=@call",                          "401 400 403 403 403 403 400 400"),
    R("call-answer",                     "POST", "pk=@call",                          "401 400 403 403 403 403 400 400"),
    R("cti-ringing-list",                "POST", "",                                  "401 403 403 403 403 403 403 400"),
    R("follow-up-list",                  "GET",  "",                                  "401 200 403 403 403 403 200 200"),
    R("follow-up-detail",                "GET",  "pk=@follow_up",                     "401 200 403 403 403 403 200 200"),
    R("follow-up-attempts",              "POST", "pk=@follow_up",                     "401 400 403 403 403 403 400 400"),
    R("complaint-list",                  "GET",  "",                                  "401 200 200 200 403 403 200 200"),
    R("complaint-list",                  "POST", "",                                  "401 400 403 403 403 403 400 400"),
    R("complaint-detail",                "GET",  "pk=@complaint",                     "401 200 200 404 403 403 200 200"),
    R("complaint-close",                 "POST", "pk=@complaint",                     "401 403 403 404 403 403 400 400"),
    R("complaint-investigate",           "POST", "pk=@complaint",                     "401 403 403 404 403 403 200 200"),
    R("complaint-resolve",               "POST", "pk=@complaint",                     "401 403 403 404 403 403 400 400"),
]
# fmt: on


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), (f"{namespace}{p.name}" if p.name else None)


def url_patterns() -> list[tuple[str, str | None]]:
    return [
        (route, name)
        for route, name in _walk(get_resolver().url_patterns)
        if not route.startswith(SKIPPED_PREFIXES)
    ]


def test_every_url_pattern_has_a_row():
    named = {row.name for row in ROWS}
    missing = sorted({f"{route} ({name})" for route, name in url_patterns() if name not in named})
    assert not missing, "URL patterns without a role-matrix row (add one line to ROWS):\n" + "\n".join(
        missing
    )


def test_every_row_names_a_url_pattern():
    names = {name for _, name in url_patterns()}
    assert not [row.name for row in ROWS if row.name not in names]


def _url(row: R, world) -> str:
    kwargs = {}
    for pair in filter(None, row.kwargs.split(",")):
        key, value = pair.split("=")
        if value.startswith("@"):
            obj = getattr(world, value[1:])
            value = obj if isinstance(obj, str) else obj.pk
        kwargs[key] = value
    return reverse(row.name, kwargs=kwargs)


def _request(client: Client, row: R, url: str) -> int:
    if row.method == "GET":
        return client.get(url).status_code
    if "@png" in row.data.values():  # a real photo, multipart
        data = {
            key: SimpleUploadedFile("p.png", f.tiny_png(), content_type="image/png")
            if value == "@png"
            else value
            for key, value in row.data.items()
        }
        return client.post(url, data).status_code
    if url.startswith("/api/"):
        return client.generic(
            row.method, url, data=__import__("json").dumps(row.data), content_type="application/json"
        ).status_code
    return client.post(url, row.data).status_code


def test_role_matrix(world):
    """Every cell of ROWS: each row's URL requested by each role, in a savepoint rolled back after."""
    wrong = []
    for row in ROWS:
        url = _url(row, world)
        got = {}
        for column in COLUMNS:
            # A fresh client with the role's session cookie: a logout (new cookie) does not leak to the next row.
            client = Client()
            client.cookies = copy.copy(world.clients[column].cookies)
            with transaction.atomic():
                got[column] = _request(client, row, url)
                transaction.set_rollback(True)
        if os.environ.get("ROLE_MATRIX_DUMP"):
            print(f"DUMP {row.id}: {' '.join(str(got[c]) for c in COLUMNS)}")
        wrong += [
            f"{row.id} as {c}: expected {row.statuses[c]}, got {got[c]}"
            for c in COLUMNS
            if got[c] != row.statuses[c]
        ]
    assert not wrong, f"{len(wrong)} cells differ:\n" + "\n".join(wrong)
