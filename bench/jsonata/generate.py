#!/usr/bin/env python3
"""Writes data.json: a deterministic ~100 KiB order document for the JSONata benchmarks."""
import json
import os
import random

rng = random.Random(42)
colours = ["Purple", "Orange", "Black", "White", "Green", "Blue", "Red", "Yellow"]
names = ["Bowler Hat", "Trilby hat", "Cloak", "Umbrella", "Gloves", "Scarf", "Boots", "Cane"]
orders = []
for o in range(130):
    products = []
    for p in range(rng.randint(2, 5)):
        products.append({
            "Product Name": rng.choice(names),
            "ProductID": rng.randint(100000, 999999),
            "SKU": "%010d" % rng.randint(0, 10**10 - 1),
            "Description": {
                "Colour": rng.choice(colours),
                "Width": rng.randint(100, 400),
                "Height": rng.randint(100, 400),
                "Depth": rng.randint(100, 400),
                "Weight": round(rng.uniform(0.1, 3.0), 2),
            },
            "Price": round(rng.uniform(5, 120), 2),
            "Quantity": rng.randint(1, 6),
        })
    orders.append({"OrderID": "order%d" % (1000 + o), "Customer": {"Name": "Customer %d" % o,
                   "Tier": rng.choice(["gold", "silver", "bronze"])}, "Product": products})
doc = {"Account": {"Account Name": "Firefly", "Order": orders}}
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data.json")
with open(out, "w") as f:
    json.dump(doc, f)
print(out, os.path.getsize(out), "bytes")
