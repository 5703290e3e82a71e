"""Custom Rasa channels: the web chat page (socket.io) and the WeChat Official Account connector.

Register them in `credentials.yml` by class path; `README.md` beside this file describes every channel the
assistant listens on, including Rasa's built-in `rest` and `callback` channels for integrators.
"""
