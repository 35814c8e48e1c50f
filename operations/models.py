"""Tables of the three systems in operation: outage notices, round templates and rounds, hazards.

The outage itself stays `workorders.Incident` (planned or not); this app adds what running the systems needs
on top of it."""
