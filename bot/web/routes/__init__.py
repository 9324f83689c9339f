"""One module per concern, each exposing `router`; `bot.web.app.ROUTERS` lists them."""
