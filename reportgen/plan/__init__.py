"""The strategic plan as data: plans/<id>.yaml (goals, objectives, outputs, mandate texts), its translations and conference calendar beside it, and the loader that checks them."""
