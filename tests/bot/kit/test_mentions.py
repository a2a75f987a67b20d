from bot.kit.mentions import strip_mentions


def test_mentions_are_removed_and_words_kept():
    text = "<@123> <@!456> what did <@&789> say in <#42> @everyone @here? email@here.com"
    assert strip_mentions(text) == "what did say in ? email@here.com"


def test_a_bare_mention_leaves_nothing():
    assert strip_mentions("  <@123>  ") == ""
