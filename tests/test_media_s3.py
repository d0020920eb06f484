"""Uploads on S3-compatible object storage, against a local S3 server (moto in server mode)."""

import json

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from config.images import card_name, card_url
from tests.factories import CommunityFactory
from tests.fundraising.conftest import make_campaign
from tests.test_images import photo

pytestmark = pytest.mark.django_db
BUCKET = "kindred-media"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{BUCKET}/*"}
    ],
}


@pytest.fixture
def s3(settings):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="k", aws_secret_access_key="s"
    )
    client.create_bucket(Bucket=BUCKET)
    # As README "Deploying" says: uploads are public, like the pages that show them.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "region_name": "us-east-1",
        "access_key": "k",
        "secret_key": "s",
        "location": "media",
        "querystring_auth": False,
        "file_overwrite": False,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
    }
    yield client
    server.stop()


def test_a_cover_goes_to_the_bucket_with_its_card_and_is_served_from_there(s3):
    campaign = make_campaign(CommunityFactory())
    campaign.cover = photo()
    campaign.save()

    keys = {item["Key"] for item in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == {f"media/{campaign.cover.name}", f"media/{card_name(campaign.cover.name)}"}
    served = requests.get(campaign.cover.url, timeout=10)
    card = requests.get(card_url(campaign.cover), timeout=10)
    assert served.status_code == card.status_code == 200
    assert served.content[:3] == card.content[:3] == b"\xff\xd8\xff"  # JPEG
    assert len(card.content) < len(served.content)
