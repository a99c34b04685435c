import pytest
pytestmark = pytest.mark.django_db

def test_pages(client, portal):
    for url in ["/", "/thu-tuc/", "/thu-tuc/1.001193/", "/thu-tuc/2.000815/", "/thu-tuc/2.001417/?province=38&commune=14848", "/co-quan/", "/co-quan/38/", "/co-quan/14849/", "/co-quan/14848/", "/co-quan/38-tu-phap/"]:
        r = client.get(url)
        assert r.status_code == 200, url
        open("/tmp/page_" + url.strip("/").replace("/", "_").replace("?","_") + ".html", "wb").write(r.content)
