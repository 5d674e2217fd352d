"""The web application and HTTP API (`taizhang serve`)."""
