"""Model permissions the residents app gives the role groups (synced after every migrate by crews)."""

ROLE_MODEL_PERMISSIONS = {
    # Managers browse, read-only, who saw full phone numbers and who changed master data.
    "manager": ["residents.view_phoneaccesslog", "residents.view_auditentry"],
}
