"""The pricing function: the total of an order's lines. A negative quantity
is refused with an InvalidQuantity error, which the state machine catches."""


class InvalidQuantity(Exception):
    pass


def handler(event, context):
    lines = event["lines"]
    if any(line["qty"] < 0 for line in lines):
        raise InvalidQuantity("negative quantity")
    return {"total": sum(line["price"] * line["qty"] for line in lines)}
