"""Model permissions the residents app gives the role groups (synced after every migrate by crews). Roles are
named by their values: crews.choices.Role lives above this app."""

# Reading the register of places and residents, full phone numbers included: the desk and managers.
_READ_REGISTER = [
    "residents.view_district",
    "residents.view_building",
    "residents.view_unit",
    "residents.view_room",
    "residents.view_facility",
    "residents.view_resident",
    "residents.view_residency",
    "residents.view_full_phone",
]

ROLE_MODEL_PERMISSIONS = {
    # The desk also registers residents and who lives where.
    "dispatcher": [
        *_READ_REGISTER,
        "residents.add_resident",
        "residents.change_resident",
        "residents.add_residency",
    ],
    "crew_leader": ["residents.view_room", "residents.view_facility"],
    "worker": ["residents.view_room"],
    # Managers also browse, read-only, who saw full phone numbers and who changed master data.
    "manager": [*_READ_REGISTER, "residents.view_phoneaccesslog", "residents.view_auditentry"],
}
