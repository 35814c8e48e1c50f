import pytest


@pytest.mark.django_db
@pytest.mark.parametrize(
    "status",
    [
        "received",
        "dispatched",
        "assigned",
        "accepted",
        "on_site",
        "on_hold",
        "completed",
        "closed",
        "cancelled",
    ],
)
def test_make_order_reaches_every_state(make_order, status):
    order = make_order(status)
    assert order.status == status
    assert order.number
    assert order.events.count() >= 1
