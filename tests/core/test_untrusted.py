"""test_untrusted.py: links chosen by feed authors cannot reach inside the network.

With allow_networks = 127.0.0.2/32, article links to 127.0.0.2 are fetched; a link to
127.0.0.1 (loopback), a redirect from 127.0.0.2 to 127.0.0.1, and the cloud metadata address
169.254.169.254 are refused before any connection is made. The feed itself (configured by the
administrator) is fetched from wherever the list says."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from fixture import Fixture  # noqa: E402

ITEM = ("<item><title>%s</title><link>%s</link><guid isPermaLink=\"false\">%s</guid>"
        "<description><![CDATA[<p>%s</p><p>This summary stands in when the page cannot be "
        "fetched, and it is long enough to be kept as the article's text by the cleaner.</p>]]>"
        "</description></item>")


class UntrustedLinks(unittest.TestCase):
    def test_internal_addresses_are_refused_even_through_redirects(self):
        fx = Fixture()
        try:
            other = fx.base.replace("127.0.0.1", "127.0.0.2")
            links = {
                "allowed": other + "/pages/seed-003.html",
                "loopback": fx.base + "/pages/seed-004.html",
                "redirect": other + "/to-loopback/pages/seed-000.html",
                "metadata": "http://169.254.169.254/latest/meta-data/",
            }
            items = "".join(ITEM % (name, url, name, "Summary of the %s item." % name)
                            for name, url in links.items())
            with open(os.path.join(fx.www, "feeds", "links.xml"), "w") as f:
                f.write("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Links</title>"
                        + items + "</channel></rss>")
            fx.write_config(allow_networks="127.0.0.2/32")
            with open(fx.feeds, "w") as f:
                f.write(fx.base + "/feeds/links.xml\n")
            result = fx.once()
            self.assertEqual(result.returncode, 0, result.stderr)
            titles = {r["title"]: r for r in fx.records().values()}
            self.assertEqual(titles["allowed"]["text_source"], "page")
            for name in ("loopback", "redirect", "metadata"):
                self.assertEqual(titles[name]["text_source"], "feed", name)
            err = result.stderr
            self.assertIn("refused to connect to 127.0.0.1: loopback address", err)
            self.assertIn("refused to connect to 169.254.169.254: link-local address", err)
            requested = [r.split()[1] for r in fx.requests()]
            self.assertIn("/pages/seed-003.html", requested)
            self.assertIn("/to-loopback/pages/seed-000.html", requested)  # 127.0.0.2 is allowed
            self.assertNotIn("/pages/seed-004.html", requested, "no connection to 127.0.0.1")
            self.assertNotIn("/pages/seed-000.html", requested, "the redirect was not followed in")
        finally:
            fx.close()

    def test_a_bad_range_is_a_configuration_error(self):
        fx = Fixture()
        try:
            fx.write_config(allow_networks="127.0.0.0/99")
            fx.write_feeds("/feeds/frontier.atom")
            result = fx.once()
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("allow_networks: '127.0.0.0/99' is not an address range", result.stderr)
        finally:
            fx.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
