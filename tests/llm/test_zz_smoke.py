import time
from tests.conftest import ticket
def test_smoke(llm_app):
    t=time.time(); app = llm_app(); print("setup", time.time()-t)
    t=time.time(); d = app.decision(ticket("a1", "Someone keeps calling me names under every video, my email is jo@example.com, handle @jojo_22, phone +44 7700 900123"))
    print("decide", time.time()-t)
    import json; print(json.dumps(d, indent=1)[:3000])
    for r in app.fake.recorded(): print(r.task, r.format, r.text[-600:])
