"""The GraphQL gateway: the only public door to the platform, plus the web pages and the widget."""
