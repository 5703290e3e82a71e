"""credentials.yml loads the way `rasa run` loads it, with no setting in the environment."""
from rasa.core.run import create_http_input_channels

from bot.core.settings import PROJECT_ROOT


def test_the_channels_start_without_any_setting(monkeypatch):
    for name in ("WECHAT_TOKEN", "WECHAT_APP_ID", "WECHAT_APP_SECRET", "WECHAT_AES_KEY", "WECHAT_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    channels = {c.name(): c for c in create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))}
    assert set(channels) == {"rest", "webchat", "wechat"}

    assert type(channels["rest"]).__module__ == "bot.channels.rest"  # input checked, see rest.py
    webchat = channels["webchat"]
    assert type(webchat).__module__ == "bot.channels.webchat"
    assert webchat.session_persistence is True
    assert (webchat.user_message_evt, webchat.bot_message_evt) == ("user_uttered", "bot_uttered")
    assert webchat.metadata_key == "customData"
