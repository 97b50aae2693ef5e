from tests.support.graphql import data


async def test_search_answers_on_demo_data(demo_client):
    result = await data(demo_client, "{ searchCredentials(first: 2) { totalCount nodes { title } } }")
    assert result["searchCredentials"]["totalCount"] > 300
