"""Background events for scripts/gen-corpus --mix wide.

The seed mix's four kinds (AWS CloudTrail, Elastic Defend for Containers process events,
sshd auth, nginx access) with much broader background variety than gen-corpus's own builders:

  * CloudTrail: 78 eventNames over 22 eventSources (IAM, STS, sign-in, S3, EC2, Lambda, KMS,
    Secrets Manager, SSM, ECS, EKS, ECR, RDS, DynamoDB, CloudFormation, CloudWatch Logs, ...,
    weighted roughly as a real trail: STS, S3, KMS and EC2 reads dominate) with
    requestParameters/responseElements of varied size, several identity types (IAM user, assumed
    role, AWS service, root, another account), failed calls, data events, and documents as an
    older or a newer aws.cloudtrail pipeline (or a lean forwarder) writes them, a quarter with
    event.original: lines from about 0.4 KB to 10+ KB;
  * cloud_defend: fork/exec/end process events of 25 workloads (23 images, on EKS, GKE, AKS and
    plain Docker nodes) running commands of their kind (servers, builds, database tools, the AWS
    CLI, cron jobs, shells, probes, ...) with varied arguments and working directories, with or
    without the leader fields;
  * sshd: 15 kinds of message (accepted password/publickey, failed password, invalid user, PAM
    session opened/closed, disconnects, preauth closes, PAM failures, ...), from log files or
    journald, as the system integration parses them;
  * nginx: varied methods, API/static/page/scanner paths, queries, status codes, sizes,
    referrers and user agents.

Shape variety as shippers produce it: build_pool() picks per template a key order (sorted, as
written or shuffled), how many objects become dotted keys, and whether the line is written
with ", " and ": " (Python's json.dumps default); gen-corpus's renderer applies them.  About 1%
of templates carry non-ASCII UTF-8 in some values (user names, GeoIP names, arguments, request
parameters); the rest are ASCII, which is checked.

build_pool() returns (rendered text with slot markers, kind label) pairs.  Every document is
checked with scripts/oracle.py before it joins the pool: no background event may match a seed
rule (a hit would make the corpus's truth differ from the generator's intent).  Everything
random comes from the rng passed in, so the same rng state gives the same pool.
"""

import base64
import json

import endpoint_events  # its weighted pick
import oracle

# Slot markers, as in gen-corpus (filled per line): @timestamp, event.ingested, a UUID,
# CloudTrail's eventTime and nginx's time.
TS, ING, UID, CTTS, NGX = "\x00ts\x00", "\x00ing\x00", "\x00uid\x00", "\x00ctts\x00", "\x00ngx\x00"
SLOT_SAMPLES = {"ts": "2024-06-01T00:00:00.000Z", "ing": "2024-06-01T00:00:01.800Z",
                "uid": "00000000-0000-4000-8000-000000000000", "ctts": "2024-06-01T00:00:00Z",
                "ngx": "01/Jun/2024:00:00:00 +0000"}

# Share of templates carrying non-ASCII text in some value, and of those rendered with
# Python's default separators.
INTL_SHARE = 0.01
SPACED_SHARE = 0.10
# Shipper key layouts: (weight, key order, chance an object is written as dotted keys).
LAYOUTS = ((0.40, "sorted", 0.0), (0.20, "insertion", 0.0), (0.12, "shuffled", 0.0),
           (0.10, "sorted", 1.0), (0.10, "insertion", 0.3), (0.08, "shuffled", 0.6))


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

def pick(rng, seq):
    return seq[int(rng.random() * len(seq))]


def chance(rng, p):
    return rng.random() < p


def between(rng, lo, hi):
    """An int in [lo, hi]."""
    return lo + int(rng.random() * (hi - lo + 1))


def hexs(rng, n):
    return "%0*x" % (n, rng.getrandbits(4 * n))


def uuid(rng):
    h = hexs(rng, 32)
    return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])


def upper_id(rng, prefix, n=16):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(alphabet[rng.getrandbits(5)] for _ in range(n))


def b64ish(rng, n):
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(alphabet[rng.getrandbits(6)] for _ in range(n))


def to_kv(v):
    """Java Map.toString() form the aws pipeline writes for request_parameters etc."""
    if isinstance(v, dict):
        return "{" + ", ".join("%s=%s" % (k, to_kv(x)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(to_kv(x) for x in v) + "]"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    return str(v)


def dumps_with_slots(obj):
    # json.dumps escapes the NUL slot markers; put them back raw.
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).replace("\\u0000", "\x00")


def data_stream(dataset, namespace="default"):
    return {"type": "logs", "dataset": dataset, "namespace": namespace}


def sort_keys(v):
    t = type(v)
    if t is dict:
        return {k: sort_keys(v[k]) for k in sorted(v)}
    if t is list:
        return [sort_keys(e) for e in v]
    return v


# entries: tuples whose first element is a weight; returns the tuple.
weighted = endpoint_events._wpick


# ---------------------------------------------------------------------------
# Shared vocabulary.  Plain values are ASCII; INTL_* values are used only by the
# templates meant to carry non-ASCII text (INTL_SHARE of them).
# ---------------------------------------------------------------------------

AGENT_VERSIONS = ("8.11.4", "8.12.2", "8.13.4", "8.14.3", "8.15.1", "8.17.0")
# (ip, geo or None, as or None).  Addresses of Elastic's GeoIP test databases and a few
# private ones; the city/region names here are ASCII.
GEO = (
    ("216.160.83.56", {"city_name": "Milton", "continent_name": "North America", "country_iso_code": "US",
                       "country_name": "United States", "location": {"lat": 47.2513, "lon": -122.3149},
                       "region_iso_code": "US-WA", "region_name": "Washington"}, {"number": 209}),
    ("81.2.69.144", {"city_name": "London", "continent_name": "Europe", "country_iso_code": "GB",
                     "country_name": "United Kingdom", "location": {"lat": 51.5142, "lon": -0.0931},
                     "region_iso_code": "GB-ENG", "region_name": "England"}, None),
    ("81.2.69.160", {"city_name": "London", "continent_name": "Europe", "country_iso_code": "GB",
                     "country_name": "United Kingdom", "location": {"lat": 51.5142, "lon": -0.0931},
                     "region_iso_code": "GB-ENG", "region_name": "England"}, None),
    ("2.125.160.216", {"city_name": "Boxford", "continent_name": "Europe", "country_iso_code": "GB",
                       "country_name": "United Kingdom", "location": {"lat": 51.75, "lon": -1.25},
                       "region_iso_code": "GB-WBK", "region_name": "West Berkshire"}, None),
    ("175.16.199.1", {"city_name": "Changchun", "continent_name": "Asia", "country_iso_code": "CN",
                      "country_name": "China", "location": {"lat": 43.88, "lon": 125.3228},
                      "region_iso_code": "CN-22", "region_name": "Jilin Sheng"}, None),
    ("67.43.156.13", {"continent_name": "Asia", "country_iso_code": "BT", "country_name": "Bhutan",
                      "location": {"lat": 27.5, "lon": 90.5}}, {"number": 35908}),
    ("1.128.3.4", {"continent_name": "Oceania", "country_iso_code": "AU", "country_name": "Australia",
                   "location": {"lat": -33.494, "lon": 143.2104}},
     {"number": 1221, "organization": {"name": "Telstra Pty Ltd"}}),
    ("149.101.100.1", {"continent_name": "North America", "country_iso_code": "US", "country_name": "United States",
                       "location": {"lat": 37.751, "lon": -97.822}},
     {"number": 6167, "organization": {"name": "CELLCO-PART"}}),
    ("10.0.12.7", None, None), ("10.40.3.118", None, None), ("172.31.4.19", None, None),
    ("192.168.88.14", None, None),
)
INTL_GEO = (
    ("89.160.20.156", {"city_name": "Linköping", "continent_name": "Europe", "country_iso_code": "SE",
                       "country_name": "Sweden", "location": {"lat": 58.4167, "lon": 15.6167},
                       "region_iso_code": "SE-E", "region_name": "Östergötland County"},
     {"number": 29518, "organization": {"name": "Bredband2 AB"}}),
    ("89.160.20.112", {"city_name": "Linköping", "continent_name": "Europe", "country_iso_code": "SE",
                       "country_name": "Sweden", "location": {"lat": 58.4167, "lon": 15.6167},
                       "region_iso_code": "SE-E", "region_name": "Östergötland County"},
     {"number": 29518, "organization": {"name": "Bredband2 AB"}}),
    ("200.147.35.9", {"city_name": "São Paulo", "continent_name": "South America", "country_iso_code": "BR",
                      "country_name": "Brazil", "location": {"lat": -23.5335, "lon": -46.6359},
                      "region_iso_code": "BR-SP", "region_name": "São Paulo"}, {"number": 7162}),
    ("195.176.96.20", {"city_name": "Zürich", "continent_name": "Europe", "country_iso_code": "CH",
                       "country_name": "Switzerland", "location": {"lat": 47.3682, "lon": 8.5671},
                       "region_iso_code": "CH-ZH", "region_name": "Zürich"}, {"number": 559}),
    ("133.242.187.3", {"city_name": "東京", "continent_name": "Asia", "country_iso_code": "JP",
                       "country_name": "Japan", "location": {"lat": 35.6893, "lon": 139.6899},
                       "region_iso_code": "JP-13", "region_name": "東京都"}, {"number": 7684}),
)
INTL_NAMES = ("josé.álvarez", "zoë.müller", "søren.kjær", "łukasz.nowak", "renée.dubois", "björn.ångström",
              "françois", "müller-lüdenscheidt", "ユーザー01", "даниил", "ayşe.yılmaz", "nguyễn.văn.an")
INTL_WORDS = ("Überweisung", "Café", "crème brûlée", "naïve", "résumé", "Ärzte", "北京", "データ", "отчёт",
              "Ελληνικά", "مرحبا", "emoji ✓", "deploy 🚀", "año-fiscal", "Größe", "été")


def _source(rng, intl=False):
    """source.* of a client address; intl: one whose GeoIP names are not ASCII."""
    if intl:
        ip, geo, asn = pick(rng, INTL_GEO)
    elif chance(rng, 0.25):  # an address the GeoIP database does not know
        ip, geo, asn = "%d.%d.%d.%d" % (pick(rng, (3, 18, 34, 52, 54, 63, 98, 104, 185, 203)),
                                        between(rng, 0, 255), between(rng, 0, 255), between(rng, 1, 254)), None, None
    else:
        ip, geo, asn = pick(rng, GEO)
    s = {"address": ip, "ip": ip}
    if geo:
        s["geo"] = dict(geo)
    if asn:
        s["as"] = dict(asn)
    return s


# ---------------------------------------------------------------------------
# CloudTrail
# ---------------------------------------------------------------------------

CT_ACCOUNTS = ("210987654321", "555566667777", "836249105372", "409182736450", "112233445566", "998877665544",
               "304958172634")
CT_REGIONS = ("us-east-1", "us-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2", "us-west-2",
              "eu-west-1", "eu-west-2", "eu-central-1", "eu-north-1", "ap-northeast-1", "ap-south-1",
              "ap-southeast-1", "ap-southeast-2", "sa-east-1", "ca-central-1")
CT_USERS = ("deploy-bot", "m.rossi", "k.tanaka", "jlee", "sara.o", "build-svc", "dbadmin", "analytics-etl",
            "marketing-uploader", "pentest-ro", "breakglass", "hr-sync", "a.kowalski", "p.singh", "ops-oncall",
            "cost-explorer", "s3-replicator", "tf-state", "grafana-cloudwatch", "datadog-integration",
            "r.okafor", "l.nguyen", "w.schmidt", "c.moreau", "t.anderson", "backup-operator")
CT_ROLES = ("OrganizationAccountAccessRole", "eks-node-group-role", "lambda-exec-billing", "GitHubActionsDeploy",
            "AWSReservedSSO_AdministratorAccess_3f2a9c1d7e6b5a48", "AWSReservedSSO_ReadOnlyAccess_9b8c7d6e5f4a3b21",
            "AWSReservedSSO_PowerUserAccess_0c1d2e3f4a5b6c7d", "DataScienceNotebook", "terraform-apply",
            "KarpenterControllerRole-prod", "aws-load-balancer-controller", "ecsTaskExecutionRole",
            "batch-job-role", "SecurityAudit", "cross-account-backup", "cloud-custodian", "ci-artifacts-writer")
CT_SESSIONS = ("botocore-session-1717196400", "GitHubActions", "aws-go-sdk-1717200123456789000",
               "i-0a1b2c3d4e5f60718", "alice@example.com", "r.okafor@example.com", "terraform-run-4812",
               "karpenter", "1717201234567", "AssumeRoleSession", "eks-prod-node", "cli-session")
CT_SERVICES = ("ec2.amazonaws.com", "lambda.amazonaws.com", "autoscaling.amazonaws.com", "cloudformation.amazonaws.com",
               "ecs-tasks.amazonaws.com", "eks.amazonaws.com", "elasticloadbalancing.amazonaws.com",
               "config.amazonaws.com", "ssm.amazonaws.com", "backup.amazonaws.com", "access-analyzer.amazonaws.com")
# userAgent strings with the user_agent.* fields the pipeline derives.
CT_AGENTS = (
    ("aws-cli/2.15.30 Python/3.11.8 Linux/6.1.0-18-amd64 exe/x86_64.debian.12 prompt/off command/s3.cp",
     {"name": "aws-cli", "version": "2.15.30", "os": {"name": "Linux", "full": "Linux 6.1.0", "version": "6.1.0"}, "device": {"name": "Other"}}),
    ("aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#ec2.describe-instances",
     {"name": "aws-cli", "version": "2.17.60", "os": {"name": "Mac OS X", "full": "Mac OS X 23.6.0", "version": "23.6.0"}, "device": {"name": "Other"}}),
    ("aws-cli/1.32.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213-201.855.amzn2.x86_64 md/arch#x86_64 lang/python#3.9.16 md/pyimpl#CPython cfg/retry-mode#legacy botocore/1.34.69",
     {"name": "aws-cli", "version": "1.32.69", "device": {"name": "Other"}}),
    ("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
     {"name": "Boto3", "version": "1.34.69", "device": {"name": "Other"}}),
    ("Boto3/1.28.57 Python/3.10.12 Linux/5.15.0-1045-aws exec-env/AWS_Lambda_python3.10 Botocore/1.31.57",
     {"name": "Boto3", "version": "1.28.57", "device": {"name": "Other"}}),
    ("aws-sdk-go-v2/1.25.2 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.150.0",
     {"name": "aws-sdk-go-v2", "version": "1.25.2", "device": {"name": "Other"}}),
    ("aws-sdk-go/1.50.30 (go1.21.8; linux; amd64)", {"name": "aws-sdk-go", "version": "1.50.30", "device": {"name": "Other"}}),
    ("aws-sdk-java/2.25.11 Linux/5.10.210-201.852.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+7-LTS Java/17.0.10 vendor/Amazon.com_Inc. io/sync http/Apache cfg/retry-mode/legacy",
     {"name": "aws-sdk-java", "version": "2.25.11", "device": {"name": "Other"}}),
    ("aws-sdk-nodejs/2.1584.0 linux/v18.19.1 exec-env/AWS_Lambda_nodejs18.x promise",
     {"name": "aws-sdk-nodejs", "version": "2.1584.0", "device": {"name": "Other"}}),
    ("aws-sdk-js/3.540.0 ua/2.0 os/linux#5.10.209-198.858.amzn2.x86_64 lang/js md/nodejs#20.11.1 api/s3#3.540.0",
     {"name": "aws-sdk-js", "version": "3.540.0", "device": {"name": "Other"}}),
    ("APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.42.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.0 os/linux lang/go#1.22.1",
     {"name": "Other", "device": {"name": "Other"}}),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
     {"name": "Chrome", "version": "124.0.0.0", "os": {"name": "Windows", "version": "10"}, "device": {"name": "Other"}}),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:125.0) Gecko/20100101 Firefox/125.0",
     {"name": "Firefox", "version": "125.0", "os": {"name": "Mac OS X", "version": "10.15", "full": "Mac OS X 10.15"}, "device": {"name": "Mac"}}),
    ("AWS Internal", {"name": "Other", "device": {"name": "Other"}}),
    ("console.amazonaws.com", {"name": "Other", "device": {"name": "Other"}}),
    ("signin.amazonaws.com", {"name": "Other", "device": {"name": "Other"}}),
    ("[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.488 Linux/5.10.215-181.850.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.372-b08 java/1.8.0_372 vendor/Oracle_Corporation cfg/retry-mode/standard]",
     {"name": "Other", "device": {"name": "Other"}}),
    ("Cloud Custodian/0.9.36 Boto3/1.34.69", {"name": "Other", "device": {"name": "Other"}}),
    ("karpenter.sh-v0.36.0", {"name": "Other", "device": {"name": "Other"}}),
    ("eksctl/0.175.0 aws-sdk-go-v2/1.25.3", {"name": "Other", "device": {"name": "Other"}}),
)
INSTANCE_TYPES = ("t3.micro", "t3.medium", "m5.large", "m6i.xlarge", "c6g.2xlarge", "r6i.4xlarge", "g5.xlarge",
                  "m7g.large", "t4g.small")
BUCKETS = ("org-cloudtrail-logs", "etl-exports", "ml-training-data", "static-site-assets", "backups-prod",
           "athena-query-results-eu", "customer-uploads", "terraform-state-prod", "vpc-flow-logs-archive",
           "data-lake-raw", "data-lake-curated", "release-artifacts")
S3_KEYS = ("exports/2024/06/01/part-00000.snappy.parquet", "uploads/avatar/7f3a9c.png", "index.html",
           "assets/js/app.3f9a1c.js", "state/prod/network.tfstate", "raw/events/dt=2024-06-01/hr=00/events-0001.json.gz",
           "models/resnet50/checkpoint-1200.pt", "reports/monthly/2024-05.csv", "logs/alb/2024/06/01/elb.log.gz",
           "releases/v4.2.1/app-linux-amd64.tar.gz", "tmp/athena/8f14e45f-ceea-467a-9af6-9c1e0d1f2a3b.csv")
LAMBDAS = ("billing-reconcile", "thumbnailer", "slack-notifier", "cur-ingest", "auth-token-refresh",
           "cloudtrail-forwarder", "orders-api", "s3-virus-scan", "ddb-stream-to-es", "nightly-report")
SECRETS = ("prod/db/postgres", "prod/api/stripe", "staging/db/mysql", "prod/oauth/github-app", "shared/datadog-api",
           "prod/redis/auth", "ci/npm-token")
PARAMS = ("/app/prod/db_host", "/app/prod/feature_flags", "/platform/eks/ami-id", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64",
          "/cwagent/linux-config", "/app/staging/log_level", "/ci/runner/version")
TABLES = ("orders", "sessions", "feature-flags", "user-profiles", "idempotency-keys", "audit-trail")
CLUSTERS = ("prod-eks", "staging-eks", "data-platform", "ml-training")
ECS_CLUSTERS = ("web-prod", "workers", "batch-nightly")
IMAGES_ECR = ("api", "web", "worker", "etl", "nginx-sidecar", "otel-collector")


class Call:
    """Who makes one CloudTrail call, and ids shared by its fields."""

    def __init__(self, rng, intl):
        r = rng.random
        self.rng, self.intl = rng, intl
        self.account = pick(rng, CT_ACCOUNTS)
        self.region = pick(rng, CT_REGIONS)
        kind = r()
        self.service = None
        if kind < 0.36:
            self.itype = "IAMUser"
            self.name = pick(rng, INTL_NAMES) if intl and chance(rng, 0.5) else pick(rng, CT_USERS)
            self.principal = upper_id(rng, "AIDA", 17)
            self.arn = "arn:aws:iam::%s:user/%s" % (self.account, self.name)
            self.key = upper_id(rng, "AKIA" if r() < 0.6 else "ASIA")
        elif kind < 0.80:
            self.itype = "AssumedRole"
            self.name = pick(rng, CT_ROLES)
            self.session = pick(rng, CT_SESSIONS)
            self.role_id = upper_id(rng, "AROA", 17)
            self.principal = self.role_id + ":" + self.session
            self.arn = "arn:aws:sts::%s:assumed-role/%s/%s" % (self.account, self.name, self.session)
            self.key = upper_id(rng, "ASIA")
        elif kind < 0.95:
            self.itype = "AWSService"
            self.service = pick(rng, CT_SERVICES)
            self.name = None
            self.principal = None
            self.arn = None
            self.key = None
        elif kind < 0.98:
            self.itype = "Root"
            self.name = None
            self.principal = self.account
            self.arn = "arn:aws:iam::%s:root" % self.account
            self.key = upper_id(rng, "ASIA")
        else:
            self.itype = "AWSAccount"
            self.name = None
            self.principal = upper_id(rng, "AIDA", 17)
            self.arn = None
            self.key = None
            self.other_account = pick(rng, CT_ACCOUNTS)

    def identity(self):
        rng = self.rng
        if self.itype == "IAMUser":
            return {"type": "IAMUser", "principalId": self.principal, "arn": self.arn, "accountId": self.account,
                    "accessKeyId": self.key, "userName": self.name}
        if self.itype == "AssumedRole":
            d = {"type": "AssumedRole", "principalId": self.principal, "arn": self.arn, "accountId": self.account,
                 "accessKeyId": self.key,
                 "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": self.role_id,
                                                      "arn": "arn:aws:iam::%s:role/%s" % (self.account, self.name),
                                                      "accountId": self.account, "userName": self.name},
                                    "webIdFederationData": {},
                                    "attributes": {"creationDate": "2024-06-01T%02d:%02d:%02dZ" % (
                                        between(rng, 0, 23), between(rng, 0, 59), between(rng, 0, 59)),
                                        "mfaAuthenticated": "true" if chance(rng, 0.2) else "false"}}}
            if self.session.startswith("i-"):
                d["sessionContext"]["ec2RoleDelivery"] = "2.0"
            return d
        if self.itype == "AWSService":
            return {"type": "AWSService", "invokedBy": self.service}
        if self.itype == "Root":
            return {"type": "Root", "principalId": self.principal, "arn": self.arn, "accountId": self.account,
                    "accessKeyId": self.key}
        return {"type": "AWSAccount", "principalId": self.principal, "accountId": self.other_account}


def _ct_resp_key(c):
    return upper_id(c.rng, "AKIA")


def _policy(rng, n):
    actions = ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "dynamodb:GetItem", "dynamodb:PutItem", "sqs:SendMessage",
               "logs:CreateLogStream", "logs:PutLogEvents", "kms:Decrypt", "ecr:GetAuthorizationToken",
               "ec2:DescribeInstances", "secretsmanager:GetSecretValue", "sts:AssumeRole", "cloudwatch:PutMetricData")
    stmts = []
    for i in range(n):
        acts = sorted(set(pick(rng, actions) for _ in range(between(rng, 1, 4))))
        st = {"Sid": "Stmt%d" % (1000 + i), "Effect": "Allow" if chance(rng, 0.9) else "Deny", "Action": acts,
              "Resource": ["arn:aws:s3:::%s/*" % pick(rng, BUCKETS)] if acts[0].startswith("s3") else "*"}
        if chance(rng, 0.3):
            st["Condition"] = {"StringEquals": {"aws:PrincipalOrgID": "o-%s" % hexs(rng, 10)}}
        stmts.append(st)
    return json.dumps({"Version": "2012-10-17", "Statement": stmts}, separators=(",", ":"))


def _tags(rng, n):
    keys = ("Name", "env", "team", "cost-center", "owner", "app", "managed-by", "karpenter.sh/nodepool",
            "kubernetes.io/cluster/prod-eks", "backup")
    vals = ("prod", "staging", "platform", "data", "payments", "terraform", "web-01", "default", "owned", "daily")
    return [{"key": pick(rng, keys), "value": pick(rng, vals)} for _ in range(n)]


def _instance(c, i):
    rng = c.rng
    iid = "i-0%s" % hexs(rng, 16)
    ip = "10.%d.%d.%d" % (between(rng, 0, 63), between(rng, 0, 255), between(rng, 1, 254))
    d = {"instanceId": iid, "imageId": "ami-0%s" % hexs(rng, 16), "instanceState": {"code": 0, "name": "pending"},
         "privateDnsName": "ip-%s.%s.compute.internal" % (ip.replace(".", "-"), c.region),
         "amiLaunchIndex": i, "productCodes": {}, "instanceType": pick(rng, INSTANCE_TYPES),
         "launchTime": 1717200000000 + between(rng, 0, 86400000),
         "placement": {"availabilityZone": c.region + pick(rng, ("a", "b", "c")), "tenancy": "default"},
         "monitoring": {"state": "disabled"}, "subnetId": "subnet-0%s" % hexs(rng, 16),
         "vpcId": "vpc-0%s" % hexs(rng, 16), "privateIpAddress": ip,
         "stateReason": {"code": "pending", "message": "pending"}, "architecture": pick(rng, ("x86_64", "arm64")),
         "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
         "virtualizationType": "hvm", "hypervisor": "xen", "clientToken": uuid(rng),
         "groupSet": {"items": [{"groupId": "sg-0%s" % hexs(rng, 16), "groupName": pick(rng, ("default", "web", "eks-node", "bastion"))}]},
         "sourceDestCheck": True,
         "networkInterfaceSet": {"items": [{"networkInterfaceId": "eni-0%s" % hexs(rng, 16),
                                            "subnetId": "subnet-0%s" % hexs(rng, 16), "vpcId": "vpc-0%s" % hexs(rng, 16),
                                            "ownerId": c.account, "status": "in-use", "macAddress": "0a:%s" % ":".join(hexs(rng, 2) for _ in range(5)),
                                            "privateIpAddress": ip, "sourceDestCheck": True, "interfaceType": "interface",
                                            "attachment": {"attachmentId": "eni-attach-0%s" % hexs(rng, 16), "deviceIndex": 0,
                                                           "networkCardIndex": 0, "status": "attaching",
                                                           "attachTime": 1717200000000, "deleteOnTermination": True}}]},
         "ebsOptimized": False, "enaSupport": True,
         "cpuOptions": {"coreCount": pick(rng, (1, 2, 4)), "threadsPerCore": 2},
         "capacityReservationSpecification": {"capacityReservationPreference": "open"},
         "enclaveOptions": {"enabled": False},
         "metadataOptions": {"state": "pending", "httpTokens": pick(rng, ("required", "optional")), "httpPutResponseHopLimit": 2,
                             "httpEndpoint": "enabled", "httpProtocolIpv4": "enabled", "httpProtocolIpv6": "disabled",
                             "instanceMetadataTags": "disabled"},
         "maintenanceOptions": {"autoRecovery": "default"},
         "privateDnsNameOptions": {"hostnameType": "ip-name", "enableResourceNameDnsARecord": False,
                                   "enableResourceNameDnsAAAARecord": False}}
    if chance(rng, 0.5):
        d["tagSet"] = {"items": _tags(rng, between(rng, 1, 6))}
    return d


def _container_def(rng, i):
    img = pick(rng, IMAGES_ECR)
    d = {"name": img if i == 0 else "%s-%d" % (img, i),
         "image": "%s.dkr.ecr.us-east-1.amazonaws.com/%s:%s" % (pick(rng, CT_ACCOUNTS), img, hexs(rng, 7)),
         "cpu": pick(rng, (0, 256, 512, 1024)), "memory": pick(rng, (512, 1024, 2048)),
         "essential": i == 0,
         "portMappings": [{"containerPort": pick(rng, (80, 8080, 3000, 9000)), "hostPort": 0, "protocol": "tcp"}],
         "environment": [{"name": k, "value": v} for k, v in (("LOG_LEVEL", pick(rng, ("info", "debug", "warn"))),
                                                             ("PORT", "8080"), ("REGION", "us-east-1"),
                                                             ("FEATURE_FLAGS", "checkout-v2,new-search"),
                                                             ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:4317"))[:between(rng, 1, 5)]],
         "mountPoints": [], "volumesFrom": [],
         "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:secretsmanager:us-east-1:%s:secret:%s-%s" % (
             pick(rng, CT_ACCOUNTS), pick(rng, SECRETS), b64ish(rng, 6).replace("+", "x").replace("/", "y"))}],
         "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/%s" % img,
                                                                  "awslogs-region": "us-east-1",
                                                                  "awslogs-stream-prefix": "ecs"}},
         "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost:8080/healthz || exit 1"],
                         "interval": 30, "timeout": 5, "retries": 3}}
    return d


# Each API: (weight, eventSource, eventName, event.category or None, event.type, readOnly, builder).
# A builder takes a Call and returns (requestParameters, responseElements, extras) where extras may
# hold "resources", "additional" (additionalEventData), "data" (a data event), "target" (the user
# named by requestParameters.userName, -> user.target.name), "fail" (a failure message).

def _iam_user_target(c, action):
    """IAM calls naming a user.  The target is the caller itself (legitimate self-service) unless
    the action is harmless for the ES|QL rule; CreateAccessKey never names another user here."""
    rng = c.rng
    if action == "CreateAccessKey" or chance(rng, 0.3):
        return c.name or pick(rng, CT_USERS)
    return pick(rng, CT_USERS)


def _b_iam_create_key(c):
    t = c.name if c.itype == "IAMUser" else None  # self-rotation; roles cannot own keys
    if t is None:
        return None, None, {"self": True}
    return ({"userName": t},
            {"accessKey": {"accessKeyId": _ct_resp_key(c), "status": "Active", "userName": t,
                           "createDate": "Jun 1, 2024, 12:%02d:%02d AM" % (between(c.rng, 0, 59), between(c.rng, 0, 59))}},
            {"target": t})


def _b_iam_user_op(extra_req=None, resp=None):
    def b(c):
        t = _iam_user_target(c, "")
        req = {"userName": t}
        if extra_req:
            req.update(extra_req(c))
        return req, resp(c, t) if resp else None, {"target": t}
    return b


def _b_list_users(c):
    rng = c.rng
    n = between(rng, 0, 12)
    if n == 0 or chance(rng, 0.5):
        return ({"maxItems": pick(rng, (100, 1000))} if chance(rng, 0.5) else None), None, {}
    users = [{"path": "/", "userName": u, "userId": upper_id(rng, "AIDA", 17),
              "arn": "arn:aws:iam::%s:user/%s" % (c.account, u), "createDate": "Mar %d, 2023, 4:12:09 PM" % between(rng, 1, 28)}
             for u in (pick(rng, CT_USERS) for _ in range(n))]
    return None, {"users": users, "isTruncated": False}, {}


def _b_create_role(c):
    rng = c.rng
    role = pick(rng, CT_ROLES) + "-" + hexs(rng, 4)
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": pick(rng, CT_SERVICES)},
                                                                "Action": "sts:AssumeRole"}]}, separators=(",", ":"))
    req = {"roleName": role, "assumeRolePolicyDocument": trust, "path": "/", "maxSessionDuration": 3600}
    if chance(rng, 0.5):
        req["tags"] = _tags(rng, between(rng, 1, 5))
    resp = {"role": {"path": "/", "roleName": role, "roleId": upper_id(rng, "AROA", 17),
                     "arn": "arn:aws:iam::%s:role/%s" % (c.account, role), "createDate": "Jun 1, 2024, 12:00:00 AM",
                     "assumeRolePolicyDocument": trust.replace("{", "%7B").replace("}", "%7D").replace('"', "%22")}}
    return req, resp, {"resources": [{"accountId": c.account, "type": "AWS::IAM::Role", "ARN": resp["role"]["arn"]}]}


def _b_put_role_policy(c):
    rng = c.rng
    return ({"roleName": pick(rng, CT_ROLES), "policyName": pick(rng, ("inline-s3", "inline-logs", "ssm-access", "kms-use")),
             "policyDocument": _policy(rng, between(rng, 1, 8))}, None, {})


def _b_attach_policy(kind):
    def b(c):
        rng = c.rng
        pol = pick(rng, ("arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
                         "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
                         "arn:aws:iam::%s:policy/ci-deploy" % c.account))
        if kind == "user":
            t = _iam_user_target(c, "")
            return {"userName": t, "policyArn": pol}, None, {"target": t}
        return {"roleName": pick(rng, CT_ROLES), "policyArn": pol}, None, {}
    return b


def _b_assume_role(c):
    rng = c.rng
    role = pick(rng, CT_ROLES)
    sess = pick(rng, CT_SESSIONS)
    acct = pick(rng, CT_ACCOUNTS)
    req = {"roleArn": "arn:aws:iam::%s:role/%s" % (acct, role), "roleSessionName": sess,
           "durationSeconds": pick(rng, (900, 3600, 43200))}
    if chance(rng, 0.3):
        req["externalId"] = hexs(rng, 20)
    if chance(rng, 0.2):
        req["tags"] = _tags(rng, between(rng, 1, 4))
        req["transitiveTagKeys"] = [t["key"] for t in req["tags"]]
    resp = {"credentials": {"accessKeyId": upper_id(rng, "ASIA"),
                            "sessionToken": b64ish(rng, pick(rng, (380, 600, 900))),
                            "expiration": "Jun 1, 2024, %d:%02d:%02d AM" % (between(rng, 1, 11), between(rng, 0, 59), between(rng, 0, 59))},
            "assumedRoleUser": {"assumedRoleId": upper_id(rng, "AROA", 17) + ":" + sess,
                                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (acct, role, sess)}}
    if chance(rng, 0.5):
        resp["packedPolicySize"] = between(rng, 4, 40)
    return req, resp, {"resources": [{"ARN": req["roleArn"], "accountId": acct, "type": "AWS::IAM::Role"}],
                       "additional": {"ExtendedRequestId": b64ish(rng, 60)} if chance(rng, 0.4) else None}


def _b_web_identity(c):
    rng = c.rng
    role = pick(rng, CT_ROLES)
    req = {"roleArn": "arn:aws:iam::%s:role/%s" % (c.account, role), "roleSessionName": pick(rng, CT_SESSIONS),
           "durationSeconds": 3600}
    resp = {"subjectFromWebIdentityToken": "system:serviceaccount:%s:%s" % (pick(rng, ("kube-system", "karpenter", "monitoring")),
                                                                            pick(rng, ("aws-node", "karpenter", "ebs-csi-controller-sa"))),
            "assumedRoleUser": {"assumedRoleId": upper_id(rng, "AROA", 17) + ":" + req["roleSessionName"],
                                "arn": "arn:aws:sts::%s:assumed-role/%s/%s" % (c.account, role, req["roleSessionName"])},
            "provider": "arn:aws:iam::%s:oidc-provider/oidc.eks.%s.amazonaws.com/id/%s" % (c.account, c.region, hexs(rng, 32).upper()),
            "audience": "sts.amazonaws.com",
            "credentials": {"accessKeyId": upper_id(rng, "ASIA"), "sessionToken": b64ish(rng, 700),
                            "expiration": "Jun 1, 2024, 1:00:00 AM"}}
    return req, resp, {}


def _b_console_login(c):
    rng = c.rng
    ok = chance(rng, 0.9)
    return (None, {"ConsoleLogin": "Success" if ok else "Failure"},
            {"additional": {"LoginTo": "https://console.aws.amazon.com/console/home?region=%s&state=hashArgs%%23&isauthcode=true" % c.region,
                            "MobileVersion": "No", "MFAUsed": "Yes" if chance(rng, 0.7) else "No"},
             "fail": None if ok else "Failed authentication"})


def _b_s3_object(action):
    def b(c):
        rng = c.rng
        bucket = pick(rng, BUCKETS)
        key = pick(rng, S3_KEYS)
        req = {"bucketName": bucket, "Host": "%s.s3.%s.amazonaws.com" % (bucket, c.region), "key": key}
        if action == "PutObject" and chance(rng, 0.5):
            req["x-amz-server-side-encryption"] = "aws:kms"
        resp = None
        if action == "PutObject":
            resp = {"x-amz-server-side-encryption": "AES256", "x-amz-version-id": b64ish(rng, 32).replace("+", ".").replace("/", "_")}
        add = {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256",
               "bytesTransferredIn": between(rng, 0, 5000000) if action == "PutObject" else 0,
               "AuthenticationMethod": "AuthHeader", "x-amz-id-2": b64ish(rng, 76),
               "bytesTransferredOut": between(rng, 0, 90000000) if action == "GetObject" else 0}
        res = [{"type": "AWS::S3::Object", "ARN": "arn:aws:s3:::%s/%s" % (bucket, key)},
               {"accountId": c.account, "type": "AWS::S3::Bucket", "ARN": "arn:aws:s3:::%s" % bucket}]
        return req, resp, {"additional": add, "resources": res, "data": True}
    return b


def _b_list_objects(c):
    rng = c.rng
    bucket = pick(rng, BUCKETS)
    req = {"list-type": "2", "bucketName": bucket, "prefix": pick(rng, ("", "exports/2024/", "raw/events/dt=2024-06-01/", "logs/")),
           "delimiter": "/", "encoding-type": "url", "max-keys": "1000", "Host": "%s.s3.amazonaws.com" % bucket}
    return req, None, {"additional": {"SignatureVersion": "SigV4", "bytesTransferredIn": 0, "bytesTransferredOut": between(rng, 300, 400000)},
                       "data": True}


def _b_put_bucket_policy(c):
    rng = c.rng
    bucket = pick(rng, BUCKETS)
    pol = json.loads(_policy(rng, between(rng, 1, 6)))
    return {"bucketName": bucket, "Host": "%s.s3.amazonaws.com" % bucket, "bucketPolicy": pol, "policy": ""}, None, {}


def _b_run_instances(c):
    rng = c.rng
    n = pick(rng, (1, 1, 1, 2, 3))
    lt = {"launchTemplateId": "lt-0%s" % hexs(rng, 16), "version": str(between(rng, 1, 40))}
    req = {"instancesSet": {"items": [{"imageId": "ami-0%s" % hexs(rng, 16), "minCount": n, "maxCount": n}]},
           "instanceType": pick(rng, INSTANCE_TYPES), "blockDeviceMapping": {}, "monitoring": {"enabled": False},
           "disableApiTermination": False, "disableApiStop": False, "clientToken": uuid(rng),
           "tagSpecificationSet": {"items": [{"resourceType": "instance", "tags": _tags(rng, between(rng, 2, 6))}]}}
    if chance(rng, 0.5):
        req["launchTemplate"] = lt
    resp = {"requestId": uuid(rng), "reservationId": "r-0%s" % hexs(rng, 16), "ownerId": c.account,
            "groupSet": {}, "instancesSet": {"items": [_instance(c, i) for i in range(n)]}}
    return req, resp, {}


def _b_describe(kind):
    def b(c):
        rng = c.rng
        if kind == "instances":
            if chance(rng, 0.5):
                return {"instancesSet": {"items": [{"instanceId": "i-0%s" % hexs(rng, 16)} for _ in range(between(rng, 1, 6))]},
                        "filterSet": {}}, None, {}
            return {"instancesSet": {}, "filterSet": {"items": [{"name": "tag:%s" % pick(rng, ("env", "team", "Name")),
                                                                   "valueSet": {"items": [{"value": pick(rng, ("prod", "staging", "web-*"))}]}},
                                                                  {"name": "instance-state-name",
                                                                   "valueSet": {"items": [{"value": "running"}]}}]}}, None, {}
        if kind == "sg":
            return {"securityGroupSet": {}, "securityGroupIdSet": {"items": [{"groupId": "sg-0%s" % hexs(rng, 16)}]},
                    "filterSet": {}}, None, {}
        if kind == "volumes":
            return {"volumeSet": {}, "filterSet": {"items": [{"name": "attachment.instance-id",
                                                              "valueSet": {"items": [{"value": "i-0%s" % hexs(rng, 16)}]}}]}}, None, {}
        return {"maxResults": pick(rng, (50, 100, 1000))}, None, {}
    return b


def _b_sg_ingress(c):
    rng = c.rng
    perms = []
    for _ in range(between(rng, 1, 5)):
        p = between(rng, 1, 65535) if chance(rng, 0.3) else pick(rng, (22, 80, 443, 3306, 5432, 6379, 8080, 9200))
        perms.append({"ipProtocol": "tcp", "fromPort": p, "toPort": p, "groups": {},
                      "ipRanges": {"items": [{"cidrIp": pick(rng, ("10.0.0.0/8", "0.0.0.0/0", "172.31.0.0/16", "203.0.113.0/24")),
                                              "description": pick(rng, ("vpn", "office", "alb", "bastion"))}]},
                      "ipv6Ranges": {}, "prefixListIds": {}})
    gid = "sg-0%s" % hexs(rng, 16)
    return ({"groupId": gid, "ipPermissions": {"items": perms}},
            {"requestId": uuid(rng), "_return": True,
             "securityGroupRuleSet": {"items": [{"groupOwnerId": c.account, "groupId": gid, "securityGroupRuleId": "sgr-0%s" % hexs(rng, 16),
                                                 "isEgress": False, "ipProtocol": "tcp", "fromPort": p["fromPort"], "toPort": p["toPort"],
                                                 "cidrIpv4": p["ipRanges"]["items"][0]["cidrIp"]} for p in perms]}}, {})


def _b_create_tags(c):
    rng = c.rng
    return ({"resourcesSet": {"items": [{"resourceId": pick(rng, ("i-0", "vol-0", "snap-0", "eni-0")) + hexs(rng, 16)}
                                        for _ in range(between(rng, 1, 8))]},
             "tagSet": {"items": _tags(rng, between(rng, 1, 8))}}, {"requestId": uuid(rng), "_return": True}, {})


def _b_instance_state(action):
    def b(c):
        rng = c.rng
        ids = ["i-0%s" % hexs(rng, 16) for _ in range(between(rng, 1, 4))]
        states = {"StartInstances": ((0, "pending"), (80, "stopped")), "StopInstances": ((64, "stopping"), (16, "running")),
                  "TerminateInstances": ((32, "shutting-down"), (16, "running"))}[action]
        resp = {"requestId": uuid(rng), "instancesSet": {"items": [
            {"instanceId": i, "currentState": {"code": states[0][0], "name": states[0][1]},
             "previousState": {"code": states[1][0], "name": states[1][1]}} for i in ids]}}
        return {"instancesSet": {"items": [{"instanceId": i} for i in ids]}, "force": False} if action == "StopInstances" else \
            {"instancesSet": {"items": [{"instanceId": i} for i in ids]}}, resp, {}
    return b


def _b_lambda(action):
    def b(c):
        rng = c.rng
        fn = pick(rng, LAMBDAS)
        arn = "arn:aws:lambda:%s:%s:function:%s" % (c.region, c.account, fn)
        if action == "Invoke":
            return ({"functionName": arn, "sourceArn": "arn:aws:s3:::%s" % pick(rng, BUCKETS)} if chance(rng, 0.3) else {"functionName": arn},
                    None, {"additional": {"functionVersion": arn + ":$LATEST"}, "data": True,
                           "resources": [{"accountId": c.account, "type": "AWS::Lambda::Function", "ARN": arn}]})
        if action == "GetFunction20150331v2":
            return {"functionName": fn}, None, {}
        env = {k: v for k, v in (("LOG_LEVEL", "info"), ("TABLE_NAME", pick(rng, TABLES)), ("BUCKET", pick(rng, BUCKETS)),
                                 ("POWERTOOLS_SERVICE_NAME", fn), ("STAGE", "prod"))[:between(rng, 1, 5)]}
        cfg = {"functionName": fn, "functionArn": arn, "runtime": pick(rng, ("python3.12", "nodejs20.x", "java21", "provided.al2023")),
               "role": "arn:aws:iam::%s:role/lambda-exec-billing" % c.account, "handler": "app.handler",
               "codeSize": between(rng, 1000, 50000000), "description": "", "timeout": pick(rng, (3, 30, 900)),
               "memorySize": pick(rng, (128, 512, 1024, 3008)), "lastModified": "2024-06-01T00:00:00.000+0000",
               "codeSha256": b64ish(rng, 43) + "=", "version": "$LATEST",
               "environment": {}, "tracingConfig": {"mode": "PassThrough"}, "revisionId": uuid(rng),
               "state": "Active", "lastUpdateStatus": "InProgress", "packageType": "Zip",
               "architectures": [pick(rng, ("x86_64", "arm64"))], "ephemeralStorage": {"size": 512},
               "snapStart": {"applyOn": "None", "optimizationStatus": "Off"},
               "runtimeVersionConfig": {"runtimeVersionArn": "arn:aws:lambda:%s::runtime:%s" % (c.region, hexs(rng, 64))},
               "loggingConfig": {"logFormat": "Text", "logGroup": "/aws/lambda/" + fn}}
        if action == "UpdateFunctionConfiguration20150331v2":
            return {"functionName": fn, "environment": {}, "timeout": cfg["timeout"]}, cfg, {}
        return {"functionName": fn, "s3Bucket": pick(rng, BUCKETS), "s3Key": "lambda/%s/%s.zip" % (fn, hexs(rng, 12)),
                "publish": False, "dryRun": False}, dict(cfg, environment={"variables": env}), {}
    return b


def _b_kms(action):
    def b(c):
        rng = c.rng
        key = "arn:aws:kms:%s:%s:key/%s" % (c.region, c.account, uuid(rng))
        if action in ("Decrypt", "Encrypt", "GenerateDataKey"):
            req = {"encryptionAlgorithm": "SYMMETRIC_DEFAULT"}
            if action != "Decrypt" or chance(rng, 0.5):
                req["keyId"] = key
            if chance(rng, 0.7):
                req["encryptionContext"] = pick(rng, (
                    {"aws:lambda:FunctionArn": "arn:aws:lambda:%s:%s:function:%s" % (c.region, c.account, pick(rng, LAMBDAS))},
                    {"aws:s3:arn": "arn:aws:s3:::%s/%s" % (pick(rng, BUCKETS), pick(rng, S3_KEYS))},
                    {"SecretARN": "arn:aws:secretsmanager:%s:%s:secret:%s" % (c.region, c.account, pick(rng, SECRETS)),
                     "SecretVersionId": uuid(rng)},
                    {"aws:ebs:id": "vol-0%s" % hexs(rng, 16)}))
            if action == "GenerateDataKey":
                req["keySpec"] = "AES_256"
            return req, None, {"resources": [{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": key}],
                               "data": action != "GenerateDataKey" and chance(rng, 0.3)}
        return {"keyId": key, "pendingWindowInDays": 30}, {"keyId": key, "deletionDate": "Jul 1, 2024, 12:00:00 AM",
                                                           "keyState": "PendingDeletion", "pendingWindowInDays": 30}, {}
    return b


def _b_secret(action):
    def b(c):
        rng = c.rng
        if action == "BatchGetSecretValue":
            ids = [pick(rng, SECRETS) for _ in range(between(rng, 2, 6))]
            return {"secretIdList": ids}, None, {"resources": [{"accountId": c.account, "type": "AWS::SecretsManager::Secret",
                                                                "ARN": "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (c.region, c.account, s, hexs(rng, 6))}
                                                               for s in ids]}
        sid = "arn:aws:secretsmanager:%s:%s:secret:%s-%s" % (c.region, c.account, pick(rng, SECRETS), hexs(rng, 6))
        if action == "PutSecretValue":
            return ({"secretId": sid, "clientRequestToken": uuid(rng)},
                    {"arn": sid, "name": sid.rsplit(":", 1)[1][:-7], "versionId": uuid(rng), "versionStages": ["AWSCURRENT"]}, {})
        req = {"secretId": sid}
        if chance(rng, 0.3):
            req["versionStage"] = "AWSCURRENT"
        return req, None, {}
    return b


def _b_ssm(action):
    def b(c):
        rng = c.rng
        if action == "GetParameter":
            return {"name": pick(rng, PARAMS), "withDecryption": chance(rng, 0.5)}, None, {}
        if action == "GetParameters":
            return {"names": [pick(rng, PARAMS) for _ in range(between(rng, 2, 8))], "withDecryption": True}, None, {}
        if action == "UpdateInstanceInformation":
            return ({"instanceId": "i-0%s" % hexs(rng, 16), "agentVersion": "3.3.%d.0" % between(rng, 100, 400),
                     "agentStatus": "Active", "platformType": "Linux", "platformName": pick(rng, ("Amazon Linux", "Ubuntu")),
                     "platformVersion": pick(rng, ("2023", "22.04")), "iPAddress": "10.0.%d.%d" % (between(rng, 0, 63), between(rng, 1, 254)),
                     "computerName": "ip-10-0-%d-%d.ec2.internal" % (between(rng, 0, 63), between(rng, 1, 254)),
                     "agentName": "amazon-ssm-agent", "availabilityZone": c.region + "a", "availabilityZoneId": "use1-az4"}, None, {})
        if action == "StartSession":
            tgt = "i-0%s" % hexs(rng, 16)
            sid = "%s-%s" % (pick(rng, CT_USERS), hexs(rng, 17))
            return ({"target": tgt}, {"sessionId": sid, "tokenValue": "Value hidden due to security reasons.",
                                      "streamUrl": "wss://ssmmessages.%s.amazonaws.com/v1/data-channel/%s?role=publish_subscribe&cell-number=%s" % (
                                          c.region, sid, b64ish(rng, 60).replace("+", "").replace("/", ""))}, {})
        cid = uuid(rng)
        doc = pick(rng, ("AWS-RunShellScript", "AWS-RunPatchBaseline", "AWS-UpdateSSMAgent", "AWS-ConfigureAWSPackage"))
        ids = ["i-0%s" % hexs(rng, 16) for _ in range(between(rng, 1, 5))]
        req = {"instanceIds": ids, "documentName": doc, "timeoutSeconds": 600, "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
               "maxConcurrency": "50", "maxErrors": "0", "interactive": False}
        resp = {"command": {"commandId": cid, "documentName": doc, "documentVersion": "$DEFAULT", "comment": "",
                            "expiresAfter": "Jun 1, 2024, 2:10:00 AM", "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS",
                            "instanceIds": ids, "targets": [], "requestedDateTime": "Jun 1, 2024, 12:00:00 AM",
                            "status": "Pending", "statusDetails": "Pending", "outputS3Region": c.region,
                            "outputS3BucketName": "", "outputS3KeyPrefix": "", "maxConcurrency": "50", "maxErrors": "0",
                            "targetCount": len(ids), "completedCount": 0, "errorCount": 0, "deliveryTimedOutCount": 0,
                            "serviceRole": "", "notificationConfig": {"notificationArn": "", "notificationEvents": [], "notificationType": ""},
                            "cloudWatchOutputConfig": {"cloudWatchLogGroupName": "", "cloudWatchOutputEnabled": False},
                            "timeoutSeconds": 600, "alarmConfiguration": {"ignorePollAlarmFailure": False, "alarms": []},
                            "triggeredAlarms": [], "interactive": False}}
        return req, resp, {}
    return b


def _b_ecs(action):
    def b(c):
        rng = c.rng
        if action == "RegisterTaskDefinition":
            fam = pick(rng, IMAGES_ECR)
            defs = [_container_def(rng, i) for i in range(between(rng, 1, 3))]
            req = {"family": fam, "taskRoleArn": "arn:aws:iam::%s:role/ecsTaskRole" % c.account,
                   "executionRoleArn": "arn:aws:iam::%s:role/ecsTaskExecutionRole" % c.account,
                   "networkMode": "awsvpc", "containerDefinitions": defs, "requiresCompatibilities": ["FARGATE"],
                   "cpu": "512", "memory": "1024"}
            resp = {"taskDefinition": dict(req, taskDefinitionArn="arn:aws:ecs:%s:%s:task-definition/%s:%d" % (
                c.region, c.account, fam, between(rng, 1, 300)), revision=between(rng, 1, 300), status="ACTIVE",
                registeredAt="Jun 1, 2024, 12:00:00 AM", registeredBy=c.arn or "ecs.amazonaws.com",
                compatibilities=["EC2", "FARGATE"])}
            return req, resp, {}
        if action == "RunTask":
            return ({"cluster": pick(rng, ECS_CLUSTERS), "taskDefinition": "%s:%d" % (pick(rng, IMAGES_ECR), between(rng, 1, 300)),
                     "count": 1, "launchType": "FARGATE", "startedBy": "events-rule/nightly-" + hexs(rng, 6)}, None, {})
        return {"cluster": pick(rng, ECS_CLUSTERS), "services": [pick(rng, IMAGES_ECR) for _ in range(between(rng, 1, 4))]}, None, {}
    return b


def _b_eks(action):
    def b(c):
        rng = c.rng
        name = pick(rng, CLUSTERS)
        if action == "ListClusters":
            return None, None, {}
        if action == "DescribeCluster":
            return {"name": name}, None, {}
        return ({"clusterName": name, "nodegroupName": "ng-%s" % hexs(rng, 8), "scalingConfig": {"minSize": 1, "maxSize": 10, "desiredSize": 3},
                 "instanceTypes": [pick(rng, INSTANCE_TYPES)], "subnets": ["subnet-0%s" % hexs(rng, 16) for _ in range(3)],
                 "nodeRole": "arn:aws:iam::%s:role/eks-node-group-role" % c.account, "labels": {"team": "platform"},
                 "capacityType": "ON_DEMAND"}, None, {})
    return b


def _b_ecr(action):
    def b(c):
        rng = c.rng
        repo = pick(rng, IMAGES_ECR)
        if action == "GetAuthorizationToken":
            return None, None, {}
        if action == "BatchGetImage":
            return ({"repositoryName": repo, "registryId": c.account, "imageIds": [{"imageTag": pick(rng, ("latest", "v1.4.2", hexs(rng, 7)))}],
                     "acceptedMediaTypes": ["application/vnd.docker.distribution.manifest.v2+json", "application/vnd.oci.image.manifest.v1+json"]},
                    None, {"resources": [{"ARN": "arn:aws:ecr:%s:%s:repository/%s" % (c.region, c.account, repo), "accountId": c.account}]})
        return ({"repositoryName": repo, "imageTag": hexs(rng, 7), "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
                 "registryId": c.account},
                {"image": {"registryId": c.account, "repositoryName": repo,
                           "imageId": {"imageDigest": "sha256:" + hexs(rng, 64), "imageTag": hexs(rng, 7)},
                           "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json"}}, {})
    return b


def _b_rds(action):
    def b(c):
        rng = c.rng
        db = pick(rng, ("orders-db", "auth-db", "analytics-replica", "legacy-mysql"))
        if action == "DescribeDBInstances":
            return ({"dBInstanceIdentifier": db} if chance(rng, 0.5) else None), None, {}
        return {"dBSnapshotIdentifier": "%s-%s" % (db, hexs(rng, 8)), "dBInstanceIdentifier": db}, {
            "dBSnapshotIdentifier": "%s-%s" % (db, hexs(rng, 8)), "dBInstanceIdentifier": db,
            "engine": pick(rng, ("postgres", "mysql", "aurora-postgresql")), "allocatedStorage": pick(rng, (20, 100, 500)),
            "status": "creating", "port": 5432, "availabilityZone": c.region + "b", "vpcId": "vpc-0%s" % hexs(rng, 16),
            "masterUsername": "dbadmin", "engineVersion": "16.2", "licenseModel": "postgresql-license",
            "snapshotType": "manual", "percentProgress": 0, "storageType": "gp3", "encrypted": True,
            "kmsKeyId": "arn:aws:kms:%s:%s:key/%s" % (c.region, c.account, uuid(rng)),
            "dBSnapshotArn": "arn:aws:rds:%s:%s:snapshot:%s" % (c.region, c.account, db), "iAMDatabaseAuthenticationEnabled": False,
            "processorFeatures": [], "dbiResourceId": "db-" + upper_id(rng, "", 26), "tagList": [],
            "snapshotTarget": "region", "dedicatedLogVolume": False}, {}
    return b


def _b_ddb(action):
    def b(c):
        rng = c.rng
        t = pick(rng, TABLES)
        if action == "DescribeTable":
            return {"tableName": t}, None, {"resources": [{"accountId": c.account, "type": "AWS::DynamoDB::Table",
                                                          "ARN": "arn:aws:dynamodb:%s:%s:table/%s" % (c.region, c.account, t)}]}
        if action == "GetItem":
            return {"tableName": t, "key": {"pk": "HIDDEN_DUE_TO_SECURITY_REASONS"}, "consistentRead": chance(rng, 0.3)}, None, {"data": True}
        return {"tableName": t, "timeToLiveSpecification": {"enabled": True, "attributeName": "expires_at"}}, {
            "timeToLiveSpecification": {"enabled": True, "attributeName": "expires_at"}}, {}
    return b


def _b_cfn(action):
    def b(c):
        rng = c.rng
        stack = pick(rng, ("network-prod", "eks-addons", "billing-pipeline", "static-site", "StackSet-guardrails-" + hexs(rng, 8)))
        if action == "DescribeStacks":
            return {"stackName": stack}, None, {}
        params = [{"parameterKey": k, "parameterValue": v} for k, v in (
            ("Environment", "prod"), ("VpcCidr", "10.0.0.0/16"), ("InstanceType", pick(rng, INSTANCE_TYPES)),
            ("KeyName", "ops-2024"), ("DesiredCapacity", str(between(rng, 1, 9))), ("AmiId", "ami-0%s" % hexs(rng, 16)))[:between(rng, 1, 6)]]
        return ({"stackName": stack, "templateURL": "https://s3.%s.amazonaws.com/cf-templates-%s-%s/%s.yaml" % (
            c.region, hexs(rng, 12), c.region, stack), "parameters": params, "capabilities": ["CAPABILITY_NAMED_IAM"],
                 "tags": _tags(rng, between(rng, 0, 4)), "disableRollback": False},
                {"stackId": "arn:aws:cloudformation:%s:%s:stack/%s/%s" % (c.region, c.account, stack, uuid(rng))}, {})
    return b


def _b_logs(action):
    def b(c):
        rng = c.rng
        grp = pick(rng, ("/aws/lambda/" + pick(rng, LAMBDAS), "/ecs/" + pick(rng, IMAGES_ECR), "/aws/eks/prod-eks/cluster",
                         "vpc-flow-logs", "/aws/rds/instance/orders-db/postgresql"))
        if action == "CreateLogStream":
            return {"logGroupName": grp, "logStreamName": "2024/06/01/[$LATEST]%s" % hexs(rng, 32)}, None, {}
        if action == "FilterLogEvents":
            return {"logGroupName": grp, "filterPattern": pick(rng, ("ERROR", "?Exception ?Timeout", "{ $.status = 500 }", "")),
                    "startTime": 1717196400000, "endTime": 1717200000000, "limit": 100}, None, {}
        return {"logGroupNamePrefix": grp[:8], "limit": 50}, None, {}
    return b


def _b_simple(req_fn=None, resp_fn=None):
    def b(c):
        return (req_fn(c) if req_fn else None), (resp_fn(c) if resp_fn else None), {}
    return b


CT_APIS = (
    # IAM
    (1.0, "iam.amazonaws.com", "CreateAccessKey", ["iam"], ["user", "change"], False, _b_iam_create_key),
    (0.6, "iam.amazonaws.com", "UpdateAccessKey", ["iam"], ["user", "change"], False,
     _b_iam_user_op(lambda c: {"accessKeyId": upper_id(c.rng, "AKIA"), "status": pick(c.rng, ("Active", "Inactive"))})),
    (0.6, "iam.amazonaws.com", "DeleteAccessKey", ["iam"], ["user", "deletion"], False,
     _b_iam_user_op(lambda c: {"accessKeyId": upper_id(c.rng, "AKIA")})),
    (1.2, "iam.amazonaws.com", "ListAccessKeys", ["iam"], ["user", "info"], True, _b_iam_user_op()),
    (0.5, "iam.amazonaws.com", "AddUserToGroup", ["iam"], ["user", "group", "change"], False,
     _b_iam_user_op(lambda c: {"groupName": pick(c.rng, ("developers", "readonly", "billing", "oncall"))})),
    (0.4, "iam.amazonaws.com", "CreateUser", ["iam"], ["user", "creation"], False,
     _b_iam_user_op(None, lambda c, t: {"user": {"path": "/", "userName": t, "userId": upper_id(c.rng, "AIDA", 17),
                                                  "arn": "arn:aws:iam::%s:user/%s" % (c.account, t),
                                                  "createDate": "Jun 1, 2024, 12:00:00 AM"}})),
    (0.5, "iam.amazonaws.com", "GetUser", ["iam"], ["user", "info"], True, _b_iam_user_op()),
    (0.3, "iam.amazonaws.com", "DeactivateMFADevice", ["iam"], ["user", "change"], False,
     _b_iam_user_op(lambda c: {"serialNumber": "arn:aws:iam::%s:mfa/%s" % (c.account, hexs(c.rng, 8))})),
    (0.3, "iam.amazonaws.com", "ChangePassword", ["iam"], ["user", "change"], False, _b_simple()),
    (1.0, "iam.amazonaws.com", "ListUsers", ["iam"], ["user", "info"], True, _b_list_users),
    (0.5, "iam.amazonaws.com", "CreateRole", ["iam"], ["creation"], False, _b_create_role),
    (0.6, "iam.amazonaws.com", "PutRolePolicy", ["iam"], ["change"], False, _b_put_role_policy),
    (0.5, "iam.amazonaws.com", "AttachUserPolicy", ["iam"], ["user", "change"], False, _b_attach_policy("user")),
    (0.5, "iam.amazonaws.com", "AttachRolePolicy", ["iam"], ["change"], False, _b_attach_policy("role")),
    (1.0, "iam.amazonaws.com", "ListAttachedRolePolicies", ["iam"], ["info"], True,
     _b_simple(lambda c: {"roleName": pick(c.rng, CT_ROLES)})),
    # STS / sign-in
    (6.0, "sts.amazonaws.com", "AssumeRole", ["authentication"], ["info"], True, _b_assume_role),
    (2.0, "sts.amazonaws.com", "AssumeRoleWithWebIdentity", ["authentication"], ["info"], True, _b_web_identity),
    (3.0, "sts.amazonaws.com", "GetCallerIdentity", None, ["info"], True, _b_simple()),
    (0.5, "sts.amazonaws.com", "GetSessionToken", ["authentication"], ["info"], True,
     _b_simple(lambda c: {"durationSeconds": 43200})),
    (1.5, "signin.amazonaws.com", "ConsoleLogin", ["authentication"], ["info"], False, _b_console_login),
    # S3
    (8.0, "s3.amazonaws.com", "GetObject", None, ["access"], True, _b_s3_object("GetObject")),
    (5.0, "s3.amazonaws.com", "PutObject", None, ["change"], False, _b_s3_object("PutObject")),
    (1.5, "s3.amazonaws.com", "HeadObject", None, ["access"], True, _b_s3_object("HeadObject")),
    (1.0, "s3.amazonaws.com", "DeleteObject", None, ["deletion"], False, _b_s3_object("DeleteObject")),
    (2.5, "s3.amazonaws.com", "ListObjects", None, ["access"], True, _b_list_objects),
    (0.3, "s3.amazonaws.com", "PutBucketPolicy", None, ["change"], False, _b_put_bucket_policy),
    (1.0, "s3.amazonaws.com", "GetBucketAcl", None, ["access"], True,
     _b_simple(lambda c: {"bucketName": pick(c.rng, BUCKETS), "Host": "s3.amazonaws.com", "acl": ""})),
    # EC2
    (4.0, "ec2.amazonaws.com", "DescribeInstances", None, ["info"], True, _b_describe("instances")),
    (1.5, "ec2.amazonaws.com", "DescribeSecurityGroups", None, ["info"], True, _b_describe("sg")),
    (1.5, "ec2.amazonaws.com", "DescribeVolumes", None, ["info"], True, _b_describe("volumes")),
    (1.0, "ec2.amazonaws.com", "DescribeRegions", None, ["info"], True, _b_describe("regions")),
    (0.8, "ec2.amazonaws.com", "RunInstances", None, ["creation"], False, _b_run_instances),
    (0.6, "ec2.amazonaws.com", "StartInstances", None, ["change"], False, _b_instance_state("StartInstances")),
    (0.6, "ec2.amazonaws.com", "StopInstances", None, ["change"], False, _b_instance_state("StopInstances")),
    (0.4, "ec2.amazonaws.com", "TerminateInstances", None, ["deletion"], False, _b_instance_state("TerminateInstances")),
    (1.2, "ec2.amazonaws.com", "CreateTags", None, ["change"], False, _b_create_tags),
    (0.4, "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", None, ["change"], False, _b_sg_ingress),
    # Lambda
    (3.0, "lambda.amazonaws.com", "Invoke", None, ["access"], False, _b_lambda("Invoke")),
    (0.8, "lambda.amazonaws.com", "GetFunction20150331v2", None, ["info"], True, _b_lambda("GetFunction20150331v2")),
    (0.4, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2", None, ["change"], False, _b_lambda("UpdateFunctionCode20150331v2")),
    (0.3, "lambda.amazonaws.com", "UpdateFunctionConfiguration20150331v2", None, ["change"], False,
     _b_lambda("UpdateFunctionConfiguration20150331v2")),
    # KMS, Secrets Manager, SSM
    (6.0, "kms.amazonaws.com", "Decrypt", None, ["access"], True, _b_kms("Decrypt")),
    (1.5, "kms.amazonaws.com", "Encrypt", None, ["access"], True, _b_kms("Encrypt")),
    (2.0, "kms.amazonaws.com", "GenerateDataKey", None, ["access"], True, _b_kms("GenerateDataKey")),
    (0.1, "kms.amazonaws.com", "ScheduleKeyDeletion", None, ["deletion"], False, _b_kms("ScheduleKeyDeletion")),
    (2.0, "secretsmanager.amazonaws.com", "GetSecretValue", None, ["access"], True, _b_secret("GetSecretValue")),
    (0.4, "secretsmanager.amazonaws.com", "BatchGetSecretValue", None, ["access"], True, _b_secret("BatchGetSecretValue")),
    (0.3, "secretsmanager.amazonaws.com", "PutSecretValue", None, ["change"], False, _b_secret("PutSecretValue")),
    (2.0, "ssm.amazonaws.com", "GetParameter", None, ["access"], True, _b_ssm("GetParameter")),
    (1.0, "ssm.amazonaws.com", "GetParameters", None, ["access"], True, _b_ssm("GetParameters")),
    (2.5, "ssm.amazonaws.com", "UpdateInstanceInformation", None, ["change"], False, _b_ssm("UpdateInstanceInformation")),
    (0.4, "ssm.amazonaws.com", "SendCommand", ["process"], ["start"], False, _b_ssm("SendCommand")),
    (0.4, "ssm.amazonaws.com", "StartSession", ["session"], ["start"], False, _b_ssm("StartSession")),
    # Containers
    (0.4, "ecs.amazonaws.com", "RegisterTaskDefinition", None, ["creation"], False, _b_ecs("RegisterTaskDefinition")),
    (0.8, "ecs.amazonaws.com", "RunTask", None, ["start"], False, _b_ecs("RunTask")),
    (1.0, "ecs.amazonaws.com", "DescribeServices", None, ["info"], True, _b_ecs("DescribeServices")),
    (1.2, "eks.amazonaws.com", "DescribeCluster", None, ["info"], True, _b_eks("DescribeCluster")),
    (0.4, "eks.amazonaws.com", "ListClusters", None, ["info"], True, _b_eks("ListClusters")),
    (0.1, "eks.amazonaws.com", "CreateNodegroup", None, ["creation"], False, _b_eks("CreateNodegroup")),
    (2.0, "ecr.amazonaws.com", "GetAuthorizationToken", None, ["access"], True, _b_ecr("GetAuthorizationToken")),
    (1.5, "ecr.amazonaws.com", "BatchGetImage", None, ["access"], True, _b_ecr("BatchGetImage")),
    (0.3, "ecr.amazonaws.com", "PutImage", None, ["change"], False, _b_ecr("PutImage")),
    # Databases, CloudFormation, logs, misc
    (1.0, "rds.amazonaws.com", "DescribeDBInstances", None, ["info"], True, _b_rds("DescribeDBInstances")),
    (0.2, "rds.amazonaws.com", "CreateDBSnapshot", None, ["creation"], False, _b_rds("CreateDBSnapshot")),
    (1.0, "dynamodb.amazonaws.com", "DescribeTable", None, ["info"], True, _b_ddb("DescribeTable")),
    (1.0, "dynamodb.amazonaws.com", "GetItem", None, ["access"], True, _b_ddb("GetItem")),
    (0.1, "dynamodb.amazonaws.com", "UpdateTimeToLive", None, ["change"], False, _b_ddb("UpdateTimeToLive")),
    (1.0, "cloudformation.amazonaws.com", "DescribeStacks", None, ["info"], True, _b_cfn("DescribeStacks")),
    (0.3, "cloudformation.amazonaws.com", "CreateStack", None, ["creation"], False, _b_cfn("CreateStack")),
    (2.0, "logs.amazonaws.com", "CreateLogStream", None, ["creation"], False, _b_logs("CreateLogStream")),
    (0.6, "logs.amazonaws.com", "FilterLogEvents", None, ["access"], True, _b_logs("FilterLogEvents")),
    (0.6, "logs.amazonaws.com", "DescribeLogGroups", None, ["info"], True, _b_logs("DescribeLogGroups")),
    (0.5, "cloudtrail.amazonaws.com", "LookupEvents", None, ["info"], True,
     _b_simple(lambda c: {"maxResults": 50, "lookupAttributes": [{"attributeKey": "EventName",
                                                                  "attributeValue": pick(c.rng, ("ConsoleLogin", "RunInstances"))}]})),
    (0.3, "guardduty.amazonaws.com", "ListFindings", None, ["info"], True,
     _b_simple(lambda c: {"detectorId": hexs(c.rng, 32), "maxResults": 50})),
    (0.3, "config.amazonaws.com", "PutEvaluations", None, ["change"], False,
     _b_simple(lambda c: {"evaluations": [{"complianceResourceType": "AWS::EC2::Instance",
                                           "complianceResourceId": "i-0%s" % hexs(c.rng, 16),
                                           "complianceType": pick(c.rng, ("COMPLIANT", "NON_COMPLIANT")),
                                           "orderingTimestamp": "Jun 1, 2024, 12:00:00 AM"}], "resultToken": b64ish(c.rng, 120),
                          "testMode": False})),
    (0.4, "organizations.amazonaws.com", "DescribeAccount", None, ["info"], True,
     _b_simple(lambda c: {"accountId": pick(c.rng, CT_ACCOUNTS)})),
    (0.6, "elasticloadbalancing.amazonaws.com", "DescribeTargetHealth", None, ["info"], True,
     _b_simple(lambda c: {"targetGroupArn": "arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s" % (
         c.region, c.account, pick(c.rng, ("web-tg", "api-tg", "grpc-tg")), hexs(c.rng, 16))})),
    (0.2, "route53.amazonaws.com", "ChangeResourceRecordSets", None, ["change"], False,
     _b_simple(lambda c: {"hostedZoneId": upper_id(c.rng, "Z", 20),
                          "changeBatch": {"changes": [{"action": "UPSERT", "resourceRecordSet": {
                              "name": "%s.example.com" % pick(c.rng, ("api", "www", "grafana", "_acme-challenge")),
                              "type": pick(c.rng, ("A", "CNAME", "TXT")), "tTL": 300,
                              "resourceRecords": [{"value": "10.0.%d.%d" % (between(c.rng, 0, 63), between(c.rng, 1, 254))}]}}]}},
                lambda c: {"changeInfo": {"id": "/change/" + upper_id(c.rng, "C", 20), "status": "PENDING",
                                          "submittedAt": "Jun 1, 2024, 12:00:00 AM"}})),
)
CT_ERRORS = (("AccessDenied", "User: %s is not authorized to perform: %s:%s on resource: %s because no identity-based policy allows the %s:%s action"),
             ("ThrottlingException", "Rate exceeded"),
             ("ResourceNotFoundException", "Resource not found"),
             ("ValidationException", "1 validation error detected"),
             ("Client.UnauthorizedOperation", "You are not authorized to perform this operation."),
             ("NoSuchKey", "The specified key does not exist."))


def _ct_related(c, res):
    ents = []
    for v in (c.principal, c.name, c.arn, c.key):
        if v and v not in ents:
            ents.append(v)
    for r in res or ():
        a = r.get("ARN")
        if a and a not in ents:
            ents.append(a)
    return ents


def cloudtrail_doc(rng, intl=False):
    """(kind label, document): a CloudTrail record as one of several aws.cloudtrail pipeline
    versions (or a lean forwarder) writes it."""
    r = rng.random
    _, provider, action, category, etype, readonly, build = weighted(rng, CT_APIS)
    c = Call(rng, intl)
    req, resp, ex = build(c)
    data_event = bool(ex.get("data"))
    target = ex.get("target")
    if req is None and ex.get("self"):
        target = None
    outcome = "success"
    err = None
    if ex.get("fail"):
        outcome = "failure"
        err = (None, ex["fail"])
    elif r() < 0.07:
        outcome = "failure"
        code, msg = pick(rng, CT_ERRORS)
        if code == "AccessDenied":
            svc = provider.split(".")[0]
            msg = msg % (c.arn or c.service or c.account, svc, action, "arn:aws:%s:%s:%s:*" % (svc, c.region, c.account), svc, action)
        err = (code, msg)
        resp = None
    intl_name = c.name in INTL_NAMES
    if c.itype == "AWSService":
        ua_str, ua = c.service, {"name": "Other", "device": {"name": "Other"}}
        src = {"address": c.service}
    else:
        src = _source(rng, intl and (not intl_name or chance(rng, 0.5)))
        ua_str, ua = pick(rng, CT_AGENTS)
    if intl and not intl_name and "geo" not in src:
        # non-ASCII text in a request parameter (a description, a tag value, a file name ...)
        req = dict(req or {}, description=pick(rng, INTL_WORDS))
    version = pick(rng, ("1.08", "1.09", "1.09", "1.10"))
    raw = {"eventVersion": version, "userIdentity": c.identity(), "eventTime": CTTS, "eventSource": provider,
           "eventName": action, "awsRegion": c.region, "sourceIPAddress": src["address"], "userAgent": ua_str}
    if err:
        if err[0]:
            raw["errorCode"] = err[0]
        raw["errorMessage"] = err[1]
    raw["requestParameters"] = req
    raw["responseElements"] = resp
    if ex.get("additional"):
        raw["additionalEventData"] = ex["additional"]
    raw["requestID"] = UID
    raw["eventID"] = UID
    raw["readOnly"] = readonly
    if ex.get("resources"):
        raw["resources"] = ex["resources"]
    raw["eventType"] = "AwsApiCall" if provider != "signin.amazonaws.com" else "AwsConsoleSignIn"
    raw["managementEvent"] = not data_event
    raw["recipientAccountId"] = c.account
    raw["eventCategory"] = "Data" if data_event else "Management"
    if r() < 0.6 and c.itype != "AWSService":
        raw["tlsDetails"] = {"tlsVersion": pick(rng, ("TLSv1.2", "TLSv1.3")),
                             "cipherSuite": pick(rng, ("ECDHE-RSA-AES128-GCM-SHA256", "TLS_AES_128_GCM_SHA256")),
                             "clientProvidedHostHeader": "%s.%s.amazonaws.com" % (provider.split(".")[0], c.region)}

    profile = r()
    if profile < 0.12:
        return "cloudtrail:%s:lean" % provider.split(".")[0], _ct_lean(rng, c, raw, provider, action, outcome, src, target)
    newer = profile < 0.62

    ct = {"event_type": raw["eventType"], "event_version": version, "recipient_account_id": c.account,
          "request_id": UID, "management_event": not data_event, "read_only": readonly}
    if newer:
        ct["event_category"] = raw["eventCategory"]
    uid = {"type": c.itype}
    if c.key:
        uid["access_key_id"] = c.key
    if c.arn:
        uid["arn"] = c.arn
    if c.itype == "AWSService":
        uid["invoked_by"] = c.service
    if c.itype == "AssumedRole":
        attrs = raw["userIdentity"]["sessionContext"]["attributes"]
        uid["session_context"] = {"creation_date": attrs["creationDate"].replace("Z", ".000Z"),
                                  "mfa_authenticated": attrs["mfaAuthenticated"],
                                  "session_issuer": {"account_id": c.account, "arn": "arn:aws:iam::%s:role/%s" % (c.account, c.name),
                                                     "principal_id": c.role_id, "type": "Role"}}
    ct["user_identity"] = uid
    flat = {}
    if req:
        flat["request_parameters"] = req
        ct["request_parameters"] = to_kv(req)
    if resp:
        flat["response_elements"] = resp
        ct["response_elements"] = to_kv(resp)
    if ex.get("additional"):
        flat["additional_eventdata"] = ex["additional"]
        ct["additional_eventdata"] = to_kv(ex["additional"])
    if flat:
        ct["flattened"] = flat
    if ex.get("resources"):
        ct["resources"] = [{k2: v for k2, v in (("account_id", x.get("accountId")), ("arn", x.get("ARN")), ("type", x.get("type"))) if v}
                           for x in ex["resources"]]
    if err:
        if err[0]:
            ct["error_code"] = err[0]
        ct["error_message"] = err[1]
    if "tlsDetails" in raw and not newer:
        ct["tls_details"] = {"tls_version": raw["tlsDetails"]["tlsVersion"], "cipher_suite": raw["tlsDetails"]["cipherSuite"],
                             "client_provided_host_header": raw["tlsDetails"]["clientProvidedHostHeader"]}

    event = {"action": action, "provider": provider, "kind": "event", "outcome": outcome, "id": UID,
             "created": ING if newer else TS, "ingested": ING}
    if category:
        event["category"] = list(category)
    event["type"] = list(etype)
    if newer:
        event["dataset"] = "aws.cloudtrail"
        event["module"] = "aws"
    user = {}
    if c.principal:
        user["id"] = c.principal
    if c.name:
        user["name"] = c.name
    if c.itype == "AssumedRole" and newer:
        user["changes"] = {"name": c.session}
    if c.itype == "Root":
        user["name"] = "root"
    if target is not None:
        user["target"] = {"name": target}
    doc = {"@timestamp": TS}
    if r() < 0.85:
        doc["agent"] = {"type": "filebeat", "version": pick(rng, AGENT_VERSIONS), "name": "elastic-agent-%s" % hexs(rng, 5),
                        "id": uuid(rng), "ephemeral_id": uuid(rng)}
    acct_name = pick(rng, ("prod", "staging", "security-tooling", "shared-services", "sandbox-%s" % hexs(rng, 4)))
    doc["aws"] = {"cloudtrail": ct}
    if r() < 0.7:
        doc["aws"]["s3"] = {"bucket": {"name": "org-trail-%s" % c.account, "arn": "arn:aws:s3:::org-trail-%s" % c.account},
                            "object": {"key": "AWSLogs/o-%s/%s/CloudTrail/%s/2024/06/01/%s_CloudTrail_%s_20240601T%02d%02dZ_%s.json.gz"
                                              % (hexs(rng, 10), c.account, c.region, c.account, c.region,
                                                 between(rng, 0, 23), 5 * between(rng, 0, 11), b64ish(rng, 16).replace("/", "x").replace("+", "y"))}}
        doc["log"] = {"file": {"path": "https://org-trail-%s.s3.%s.amazonaws.com/%s" % (c.account, c.region, doc["aws"]["s3"]["object"]["key"])},
                      "offset": int(r() * 900000)}
        doc["input"] = {"type": "aws-s3"}
    else:
        doc["input"] = {"type": pick(rng, ("aws-cloudwatch", "http_endpoint"))}
    doc["cloud"] = {"account": {"id": c.account}, "region": c.region, "provider": "aws"}
    if newer and r() < 0.5:
        doc["cloud"]["account"]["name"] = acct_name
    doc["data_stream"] = data_stream("aws.cloudtrail", pick(rng, ("default",) * 6 + ("prod", "security", "org")))
    doc["ecs"] = {"version": "8.11.0" if newer else pick(rng, ("8.0.0", "1.12.0"))}
    doc["event"] = event
    if newer:
        ents = _ct_related(c, ex.get("resources"))
        rel = {"entity": ents}
        users = [u for u in (c.name, target, getattr(c, "session", None) if c.itype == "AssumedRole" else None) if u]
        if users:
            rel["user"] = list(dict.fromkeys(users))
        if "ip" in src:
            rel["ip"] = [src["ip"]]
        doc["related"] = rel
        if c.arn:
            doc["actor"] = {"entity": {"id": [c.arn]}}
        if ex.get("resources"):
            doc["target"] = {"entity": {"id": [x["ARN"] for x in ex["resources"] if x.get("ARN")]}}
    else:
        rel = {}
        if c.name:
            rel["user"] = [c.name] + ([target] if target and target != c.name else [])
        if "ip" in src:
            rel["ip"] = [src["ip"]]
        if rel:
            doc["related"] = rel
    doc["source"] = src
    if "tlsDetails" in raw and newer:
        doc["tls"] = {"version": raw["tlsDetails"]["tlsVersion"].replace("TLSv", ""), "version_protocol": "tls",
                      "cipher": raw["tlsDetails"]["cipherSuite"],
                      "client": {"server_name": raw["tlsDetails"]["clientProvidedHostHeader"]}}
    if user:
        doc["user"] = user
    doc["user_agent"] = dict(ua, original=ua_str)
    tags = ["forwarded"]
    if r() < 0.25:  # preserve_original_event
        event["original"] = dumps_with_slots(raw)
        tags.insert(0, "preserve_original_event")
    if newer and c.arn and r() < 0.5:
        tags.append("actor_target_mapping")
    doc["tags"] = tags
    size = "large" if len(ct.get("request_parameters", "")) + len(ct.get("response_elements", "")) > 1500 else "std"
    return "cloudtrail:%s:%s" % (provider.split(".")[0], size), doc


def _ct_lean(rng, c, raw, provider, action, outcome, src, target):
    """A lean forwarder's document: a few ECS fields and nothing else (about 0.4-0.7 KB)."""
    doc = {"@timestamp": TS, "data_stream": data_stream("aws.cloudtrail"),
           "event": {"action": action, "provider": provider, "outcome": outcome, "kind": "event", "id": UID, "ingested": ING},
           "cloud": {"provider": "aws", "region": c.region, "account": {"id": c.account}},
           "aws": {"cloudtrail": {"event_type": raw["eventType"], "user_identity": {"type": c.itype}}}}
    if c.name:
        doc["user"] = {"name": c.name}
        if target is not None:
            doc["user"]["target"] = {"name": target}
    if "ip" in src:
        doc["source"] = {"ip": src["ip"]}
        if "geo" in src and rng.random() < 0.5:
            doc["source"]["geo"] = {"country_iso_code": src["geo"]["country_iso_code"]}
            if "city_name" in src["geo"]:
                doc["source"]["geo"]["city_name"] = src["geo"]["city_name"]
    else:
        doc["source"] = {"address": src["address"]}
    if "errorCode" in raw:
        doc["aws"]["cloudtrail"]["error_code"] = raw["errorCode"]
    return doc


# ---------------------------------------------------------------------------
# Elastic Defend for Containers (cloud_defend) process events
# ---------------------------------------------------------------------------

# (image, tags, workload name, k8s namespace, parent type, command family)
CD_IMAGES = (
    ("nginx", ("1.25.4", "1.25.4-alpine", "1.27.0", "stable"), "webapp-proxy", "default", "ReplicaSet", "nginx"),
    ("python", ("3.11-slim", "3.12-slim-bookworm", "3.10"), "billing-api", "payments", "ReplicaSet", "python"),
    ("python", ("3.12-slim",), "ml-batch-scorer", "ml", "Job", "python"),
    ("node", ("20-alpine", "18.20.2-bookworm-slim", "22"), "frontend", "web", "ReplicaSet", "node"),
    ("node", ("20-alpine",), "graphql-gateway", "web", "ReplicaSet", "node"),
    ("eclipse-temurin", ("17-jre", "21-jre-jammy"), "orders-service", "commerce", "ReplicaSet", "java"),
    ("amazoncorretto", ("17", "21-al2023"), "kafka-connect", "data", "StatefulSet", "java"),
    ("golang", ("1.22-alpine",), "ci-build-go", "ci", "Job", "build"),
    ("gcr.io/distroless/static-debian12", ("nonroot",), "auth-proxy", "security", "ReplicaSet", "go"),
    ("redis", ("7.2", "7.2.4-alpine"), "redis", "cache", "StatefulSet", "redis"),
    ("postgres", ("16.2", "15.6-alpine"), "postgres", "db", "StatefulSet", "postgres"),
    ("mysql", ("8.0.36",), "mysql-legacy", "db", "StatefulSet", "mysql"),
    ("ubuntu", ("22.04", "24.04"), "debug-shell", "kube-system", "Pod", "shell"),
    ("alpine", ("3.19", "3.20"), "cron-cleanup", "ops", "CronJob", "cron"),
    ("busybox", ("1.36",), "init-wait-db", "commerce", "ReplicaSet", "init"),
    ("public.ecr.aws/aws-cli/aws-cli", ("2.15.30",), "s3-sync", "data", "CronJob", "awscli"),
    ("123456789012.dkr.ecr.us-east-1.amazonaws.com/etl-worker", ("v2.3.1", "v2.4.0-rc1"), "etl-worker", "data", "Job", "python"),
    ("ghcr.io/actions/actions-runner", ("2.316.0",), "gha-runner", "ci", "StatefulSet", "build"),
    ("docker.elastic.co/beats/elastic-agent", ("8.13.4", "8.14.3"), "elastic-agent", "kube-system", "DaemonSet", "agent"),
    ("quay.io/prometheus/node-exporter", ("v1.8.0",), "node-exporter", "monitoring", "DaemonSet", "go"),
    ("grafana/grafana", ("10.4.2",), "grafana", "monitoring", "Deployment", "go"),
    ("registry.k8s.io/ingress-nginx/controller", ("v1.10.1",), "ingress-nginx-controller", "ingress-nginx", "ReplicaSet", "nginx"),
    ("bitnami/kubectl", ("1.29", "1.30.1"), "helm-deployer", "ci", "Job", "kubectl"),
    ("jenkins/inbound-agent", ("3206.vb_15dcf73f6a_9-3-jdk17",), "jenkins-agent", "ci", "Pod", "build"),
    ("rabbitmq", ("3.13-management",), "rabbitmq", "messaging", "StatefulSet", "shell"),
)
CD_NODES = (  # (host name, ip list, kernel, os family, os version)
    ("ip-10-0-12-7.ec2.internal", ["10.0.12.7", "172.17.0.1"], "6.1.79-99.167.amzn2023.x86_64", "amazon", "2023"),
    ("ip-10-0-33-81.ec2.internal", ["10.0.33.81"], "6.1.79-99.167.amzn2023.x86_64", "amazon", "2023"),
    ("ip-10-0-48-202.ec2.internal", ["10.0.48.202", "10.0.48.17"], "5.10.213-201.855.amzn2.x86_64", "amazon", "2"),
    ("ip-10-1-7-140.eu-west-1.compute.internal", ["10.1.7.140"], "6.1.84-99.169.amzn2023.x86_64", "amazon", "2023"),
    ("gke-staging-pool-1-8a7b", ["10.128.0.22"], "5.15.0-1049-gke", "ubuntu", "22.04"),
    ("gke-prod-highmem-2-c41d", ["10.128.3.9"], "6.1.58+", "cos", "109"),
    ("aks-nodepool1-31857401-vmss000002", ["10.224.0.5"], "5.15.0-1061-azure", "ubuntu", "22.04"),
    ("docker-custom-agent", ["127.0.0.1", "172.20.0.2", "172.18.0.6"], "5.10.161+ #1 SMP Thu Jan 5 22:49:42 UTC 2023", "ubuntu", "20.04.5"),
)
CD_WDS = ("/", "/app", "/srv/app", "/usr/src/app", "/home/node/app", "/opt/app", "/workspace", "/root", "/tmp",
          "/var/lib/postgresql/data", "/data", "/usr/share/nginx/html", "/home/runner/_work/api/api",
          "/var/lib/rabbitmq", "/opt/bitnami", "/usr/share/elastic-agent")
HOSTS_INT = ("orders-db.db.svc.cluster.local", "redis-master.cache", "kafka-0.kafka-headless.data:9092",
             "api.internal.example.com", "10.0.40.12", "localhost", "127.0.0.1", "rabbitmq.messaging.svc")
PY_MODULES = ("app.main:app", "service.api:create_app()", "billing.asgi:application", "orders.wsgi:application")
PKGS = ("curl", "ca-certificates", "jq", "git", "openssl", "tzdata", "libpq-dev", "build-essential", "procps",
        "netcat-openbsd", "unzip", "python3-pip", "dnsutils")
URLS = ("http://localhost:8080/healthz", "http://127.0.0.1:9090/-/ready", "http://localhost:3000/api/health",
        "https://api.github.com/repos/acme/api/releases/latest", "http://169.254.170.2/v2/metadata",
        "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
        "http://orders-service.commerce:8080/actuator/health", "https://pypi.org/simple/requests/")


def _cmd(rng, family):
    """(name, executable, args) of one process of a container of this family.  None of them both
    names a search tool and holds a credential-looking argument."""
    p = lambda seq: pick(rng, seq)
    n = lambda lo, hi: str(between(rng, lo, hi))
    common = (
        lambda: ("sh", "/bin/sh", ["sh", "-c", "curl -sf %s || exit 1" % p(URLS)]),
        lambda: ("curl", "/usr/bin/curl", ["curl", "-sS", "-m", n(2, 30), "-o", "/dev/null", "-w", "%{http_code}", p(URLS)]),
        lambda: ("sleep", "/bin/sleep", ["sleep", n(1, 3600)]),
        lambda: ("cat", "/bin/cat", ["cat", p(("/etc/hosts", "/etc/resolv.conf", "/proc/meminfo", "/app/config.yaml",
                                               "/var/run/secrets/kubernetes.io/serviceaccount/namespace", "/etc/os-release"))]),
        lambda: ("ls", "/bin/ls", ["ls", p(("-la", "-lh", "-1", "--color=auto")), p(CD_WDS)]),
        lambda: ("ps", "/bin/ps", ["ps", p(("aux", "-ef", "-o", "pid,ppid,cmd"))]),
        lambda: ("date", "/bin/date", ["date", "-u", "+%Y-%m-%dT%H:%M:%SZ"]),
        lambda: ("env", "/usr/bin/env", ["env"]),
        lambda: ("id", "/usr/bin/id", ["id", "-u"]),
        lambda: ("df", "/bin/df", ["df", "-h", p(("/", "/data", "/var/lib/postgresql/data"))]),
        lambda: ("grep", "/bin/grep", ["grep", p(("-c", "-i", "-E", "-n")), p(("ERROR", "timeout|refused", "WARN", "OOMKilled", "panic:")),
                                       p(("/var/log/app/app.log", "/tmp/out.log", "/var/log/nginx/error.log"))]),
        lambda: ("find", "/usr/bin/find", ["find", p(("/tmp", "/var/cache/app", "/data/tmp")), "-type", "f", "-mtime", "+" + n(1, 30), "-delete"]),
        lambda: ("tail", "/usr/bin/tail", ["tail", "-n", n(10, 500), p(("/var/log/app/app.log", "/var/log/syslog"))]),
        lambda: ("wget", "/usr/bin/wget", ["wget", "-q", "-O-", "-T", n(1, 10), p(URLS)]),
        lambda: ("hostname", "/bin/hostname", ["hostname", "-i"]),
        lambda: ("uname", "/bin/uname", ["uname", "-a"]),
        lambda: ("nslookup", "/usr/bin/nslookup", ["nslookup", p(HOSTS_INT).split(":")[0]]),
        lambda: ("tar", "/bin/tar", ["tar", "czf", "/backup/%s-%s.tgz" % (p(("data", "uploads", "config")), n(1000, 9999)), p(CD_WDS)]),
        lambda: ("sha256sum", "/usr/bin/sha256sum", ["sha256sum", "/tmp/artifact-%s.tar.gz" % hexs(rng, 8)]),
        lambda: ("jq", "/usr/bin/jq", ["jq", "-r", p((".items[].metadata.name", ".status.phase", ".[] | select(.ok == false) | .id")), "/tmp/out.json"]),
    )
    fam = {
        "nginx": (
            lambda: ("nginx", "/usr/sbin/nginx", ["nginx", "-g", "daemon off;"]),
            lambda: ("nginx", "/usr/sbin/nginx", ["nginx", "-s", "reload"]),
            lambda: ("nginx", "/usr/sbin/nginx", ["nginx", "-t", "-c", "/etc/nginx/nginx.conf"]),
            lambda: ("/nginx-ingress-controller", "/nginx-ingress-controller",
                     ["/nginx-ingress-controller", "--publish-service=$(POD_NAMESPACE)/ingress-nginx-controller",
                      "--election-id=ingress-nginx-leader", "--controller-class=k8s.io/ingress-nginx",
                      "--ingress-class=nginx", "--configmap=$(POD_NAMESPACE)/ingress-nginx-controller",
                      "--validating-webhook=:8443", "--validating-webhook-certificate=/usr/local/certificates/cert",
                      "--validating-webhook-key=/usr/local/certificates/key"]),
        ),
        "python": (
            lambda: ("python3", "/usr/local/bin/python3", ["python3", "-m", "uvicorn", p(PY_MODULES), "--host", "0.0.0.0",
                                                           "--port", n(8000, 8099), "--workers", n(1, 8), "--proxy-headers"]),
            lambda: ("gunicorn", "/usr/local/bin/gunicorn", ["gunicorn", "--bind", "0.0.0.0:" + n(8000, 8099), "--workers", n(2, 9),
                                                             "--timeout", p(("30", "120", "300")), "--access-logfile", "-",
                                                             p(PY_MODULES)]),
            lambda: ("python3", "/usr/local/bin/python3", ["python3", "manage.py", p(("migrate", "collectstatic", "clearsessions")), "--noinput"]),
            lambda: ("python3", "/usr/local/bin/python3", ["python3", "-m", "etl.jobs.%s" % p(("daily_rollup", "backfill", "export_s3")),
                                                           "--date", "2024-06-%02d" % between(rng, 1, 30), "--partition", n(0, 63)]),
            lambda: ("pip", "/usr/local/bin/pip", ["pip", "install", "--no-cache-dir", "-r", "requirements.txt"]),
            lambda: ("celery", "/usr/local/bin/celery", ["celery", "-A", "billing", "worker", "-l", "INFO", "-Q",
                                                         p(("default", "emails,default", "reports")), "--concurrency", n(2, 16)]),
        ),
        "node": (
            lambda: ("node", "/usr/local/bin/node", ["node", "--max-old-space-size=" + p(("512", "1024", "2048", "4096")), p(("dist/server.js", "build/index.js", ".next/standalone/server.js"))]),
            lambda: ("npm", "/usr/local/bin/npm", ["npm", p(("ci", "run build", "start", "run migrate"))]),
            lambda: ("node", "/usr/local/bin/node", ["node", "/usr/local/lib/node_modules/npm/bin/npm-cli.js", "run", "start"]),
            lambda: ("yarn", "/usr/local/bin/yarn", ["yarn", "install", "--frozen-lockfile", "--network-timeout", "600000"]),
        ),
        "java": (
            lambda: ("java", "/opt/java/openjdk/bin/java",
                     ["java", "-XX:MaxRAMPercentage=" + p(("50.0", "75.0")), "-XX:+UseG1GC", "-Djava.security.egd=file:/dev/./urandom",
                      "-Dspring.profiles.active=" + p(("prod", "staging")), "-Dserver.port=" + n(8080, 8090),
                      "-javaagent:/otel/opentelemetry-javaagent.jar", "-Dotel.service.name=orders-service", "-jar", "/app/app.jar"]),
            lambda: ("java", "/usr/lib/jvm/java-17-amazon-corretto/bin/java",
                     ["java", "-Xms1g", "-Xmx" + p(("2g", "4g")), "-cp", "/opt/kafka/libs/*", "org.apache.kafka.connect.cli.ConnectDistributed",
                      "/etc/kafka/connect-distributed.properties"]),
            lambda: ("jcmd", "/opt/java/openjdk/bin/jcmd", ["jcmd", "1", p(("GC.heap_info", "Thread.print", "VM.flags"))]),
        ),
        "build": (
            lambda: ("go", "/usr/local/go/bin/go", ["go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=v%s.%s.%s" % (n(1, 4), n(0, 30), n(0, 9)),
                                                    "-o", "/out/app", "./cmd/%s" % p(("api", "worker", "migrate"))]),
            lambda: ("go", "/usr/local/go/bin/go", ["go", "test", "-race", "-count=1", "./..."]),
            lambda: ("make", "/usr/bin/make", ["make", "-j" + n(2, 16), p(("build", "test", "lint", "docker"))]),
            lambda: ("git", "/usr/bin/git", ["git", "clone", "--depth", "1", "--branch", p(("main", "release/2024.06", "v4.2.1")),
                                             "https://github.com/acme/%s.git" % p(("api", "web", "infra", "etl"))]),
            lambda: ("git", "/usr/bin/git", ["git", "fetch", "--prune", "--tags", "origin"]),
            lambda: ("docker", "/usr/bin/docker", ["docker", "build", "-t", "acme/api:%s" % hexs(rng, 7), "--build-arg", "VERSION=%s" % hexs(rng, 7), "."]),
            lambda: ("mvn", "/usr/share/maven/bin/mvn", ["mvn", "-B", "-q", "package", "-DskipTests", "-Dmaven.repo.local=/cache/m2"]),
            lambda: ("Runner.Worker", "/home/runner/bin/Runner.Worker", ["/home/runner/bin/Runner.Worker", "spawnclient", n(100, 199), n(100, 199)]),
        ),
        "go": (
            lambda: ("auth-proxy", "/usr/local/bin/auth-proxy", ["/usr/local/bin/auth-proxy", "--upstream=http://127.0.0.1:8080",
                                                                "--listen=:4180", "--log-level=" + p(("info", "debug"))]),
            lambda: ("node_exporter", "/bin/node_exporter", ["/bin/node_exporter", "--path.procfs=/host/proc", "--path.sysfs=/host/sys",
                                                             "--path.rootfs=/host/root", "--web.listen-address=:9100"]),
            lambda: ("grafana", "/usr/share/grafana/bin/grafana", ["grafana", "server", "--homepath=/usr/share/grafana",
                                                                   "--config=/etc/grafana/grafana.ini", "cfg:default.log.mode=console"]),
        ),
        "redis": (
            lambda: ("redis-server", "/usr/local/bin/redis-server", ["redis-server", "*:6379", "--appendonly", p(("yes", "no")),
                                                                     "--maxmemory", p(("256mb", "1gb", "4gb"))]),
            lambda: ("redis-cli", "/usr/local/bin/redis-cli", ["redis-cli", "-h", "127.0.0.1", "-p", "6379", p(("ping", "info replication", "dbsize"))]),
        ),
        "postgres": (
            lambda: ("postgres", "/usr/lib/postgresql/16/bin/postgres", ["postgres", "-D", "/var/lib/postgresql/data", "-c",
                                                                         "shared_buffers=" + p(("256MB", "1GB")), "-c", "max_connections=" + n(100, 500)]),
            lambda: ("pg_isready", "/usr/bin/pg_isready", ["pg_isready", "-U", "postgres", "-h", "127.0.0.1", "-p", "5432"]),
            lambda: ("pg_dump", "/usr/bin/pg_dump", ["pg_dump", "-Fc", "-f", "/backup/orders-%s.dump" % n(20240101, 20240630), "-d", "orders"]),
            lambda: ("psql", "/usr/bin/psql", ["psql", "-h", p(HOSTS_INT).split(":")[0], "-U", "app", "-d", "orders", "-c",
                                               p(("SELECT count(*) FROM orders WHERE created_at > now() - interval '1 day'",
                                                  "VACUUM ANALYZE orders", "SELECT pg_is_in_recovery()"))]),
        ),
        "mysql": (
            lambda: ("mysqld", "/usr/sbin/mysqld", ["mysqld", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_0900_ai_ci"]),
            lambda: ("mysqladmin", "/usr/bin/mysqladmin", ["mysqladmin", "ping", "-h", "localhost", "--silent"]),
            lambda: ("mysqldump", "/usr/bin/mysqldump", ["mysqldump", "--single-transaction", "--routines", "legacy", "-r", "/backup/legacy.sql"]),
        ),
        "shell": (
            lambda: ("bash", "/bin/bash", ["bash"]),
            lambda: ("bash", "/usr/bin/bash", ["bash", "-l"]),
            lambda: ("vi", "/usr/bin/vi", ["vi", p(("/etc/nginx/conf.d/default.conf", "/app/.env.example", "/tmp/notes.txt"))]),
            lambda: ("apt-get", "/usr/bin/apt-get", ["apt-get", "install", "-y", "--no-install-recommends"] + [p(PKGS) for _ in range(between(rng, 1, 5))]),
            lambda: ("apt-get", "/usr/bin/apt-get", ["apt-get", "update"]),
            lambda: ("top", "/usr/bin/top", ["top", "-b", "-n", "1"]),
            lambda: ("rabbitmq-diagnostics", "/opt/rabbitmq/sbin/rabbitmq-diagnostics", ["rabbitmq-diagnostics", "-q", "check_port_connectivity"]),
            lambda: ("nc", "/bin/nc", ["nc", "-zv", p(HOSTS_INT).split(":")[0], n(1, 65535)]),
        ),
        "cron": (
            lambda: ("crond", "/usr/sbin/crond", ["crond", "-f", "-l", "8"]),
            lambda: ("sh", "/bin/sh", ["sh", "-c", "find /data/tmp -type f -mmin +%s -delete && echo cleaned" % n(30, 600)]),
            lambda: ("rm", "/bin/rm", ["rm", "-rf", "/tmp/job-%s" % hexs(rng, 8)]),
            lambda: ("gzip", "/bin/gzip", ["gzip", "-9", "/var/log/app/app.log.%s" % n(1, 9)]),
        ),
        "init": (
            lambda: ("sh", "/bin/sh", ["sh", "-c", "until nc -z %s 5432; do echo waiting for db; sleep 2; done" % p(HOSTS_INT).split(":")[0]]),
            lambda: ("nc", "/bin/nc", ["nc", "-z", p(HOSTS_INT).split(":")[0], n(1024, 9999)]),
            lambda: ("chown", "/bin/chown", ["chown", "-R", "%s:%s" % (n(999, 1001), n(999, 1001)), "/data"]),
        ),
        "awscli": (
            lambda: ("aws", "/usr/local/bin/aws", ["aws", "s3", "sync", p(("/data/export", "/backup")), "s3://%s/%s/" % (p(BUCKETS), n(2023, 2024)),
                                                   "--delete", "--only-show-errors"]),
            lambda: ("aws", "/usr/local/bin/aws", ["aws", "sts", "get-caller-identity", "--output", "json"]),
            lambda: ("aws", "/usr/local/bin/aws", ["aws", "configure", "get", p(("region", "aws_access_key_id", "output"))]),
            lambda: ("aws", "/usr/local/bin/aws", ["aws", "ecr", "get-login-password", "--region", p(CT_REGIONS)]),
            lambda: ("aws", "/usr/local/bin/aws", ["aws", "secretsmanager", "get-secret-value", "--secret-id", p(SECRETS), "--query", "SecretString"]),
        ),
        "kubectl": (
            lambda: ("kubectl", "/opt/bitnami/kubectl/bin/kubectl", ["kubectl", "get", p(("pods", "deploy", "svc", "nodes")), "-n", p(("default", "web", "data", "ci")), "-o", "wide"]),
            lambda: ("kubectl", "/opt/bitnami/kubectl/bin/kubectl", ["kubectl", "rollout", "status", "deploy/%s" % p(("frontend", "orders-service", "billing-api")), "--timeout=300s"]),
            lambda: ("helm", "/usr/local/bin/helm", ["helm", "upgrade", "--install", p(("frontend", "orders", "billing")), "./chart", "-n", p(("web", "commerce")),
                                                     "--set", "image.tag=%s" % hexs(rng, 7), "--wait", "--atomic"]),
        ),
        "agent": (
            lambda: ("elastic-agent", "/usr/share/elastic-agent/elastic-agent", ["elastic-agent", "container"]),
            lambda: ("cloud-defend", "/usr/share/elastic-agent/data/elastic-agent-%s/components/cloud-defend" % hexs(rng, 6),
                     ["cloud-defend", "-E", "setup.ilm.enabled=false", "-E", "setup.template.enabled=false", "-E", "management.enabled=true"]),
            lambda: ("filebeat", "/usr/share/elastic-agent/data/elastic-agent-%s/components/filebeat" % hexs(rng, 6),
                     ["filebeat", "-E", "setup.ilm.enabled=false", "-E", "logging.level=info", "-E", "gc_percent=${FILEBEAT_GC_PERCENT:100}"]),
        ),
    }
    fns = fam.get(family, ())
    f = pick(rng, fns) if fns and chance(rng, 0.6) else pick(rng, common)
    return f()


CD_PARENTS = (
    (["containerd-shim-runc-v2", "-namespace", "k8s.io", "-id"], "/usr/bin/containerd-shim-runc-v2"),
    (["/usr/bin/tini", "--", "/docker-entrypoint.sh"], "/usr/bin/tini"),
    (["dumb-init", "--"], "/usr/bin/dumb-init"),
    (["bash"], "/bin/bash"), (["sh"], "/bin/sh"), (["/bin/sh", "-c", "/entrypoint.sh"], "/bin/sh"),
    (["supervisord", "-n", "-c", "/etc/supervisor/supervisord.conf"], "/usr/bin/supervisord"),
    (["runc", "init"], "/usr/bin/runc"), (["crond", "-f"], "/usr/sbin/crond"),
)


def _cd_leader(rng, name, exe, args, wd, same, uid, meta=False, ts=None):
    d = {"args": args, "entity_id": _b64_entity(rng), "executable": exe, "interactive": name in ("bash", "sh"),
         "name": name, "pid": between(rng, 1, 4000000), "same_as_process": same,
         "start": ts or "2024-05-%02dT%02d:%02d:%02d.%03dZ" % (between(rng, 1, 31), between(rng, 0, 23), between(rng, 0, 59),
                                                           between(rng, 0, 59), between(rng, 0, 999)),
         "user": {"id": uid}, "group": {"id": uid}, "working_directory": wd}
    if meta:
        d["entry_meta"] = {"type": "container"}
    return d


def _b64_entity(rng):
    return base64.b64encode(("%s-%d-%d" % (uuid(rng), between(rng, 100, 4000000), between(rng, 1700000000, 1717200000))).encode()).decode()


def cloud_defend_doc(rng, intl=False):
    r = rng.random
    image, tags, workload, k8s_ns, ptype, family = pick(rng, CD_IMAGES)
    tag = pick(rng, tags)
    host, ips, kernel, osfam, osver = pick(rng, CD_NODES)
    name, exe, args = _cmd(rng, family)
    args = list(args)
    if intl:
        if chance(rng, 0.5):
            name, exe, args = "echo", "/bin/echo", ["echo", pick(rng, INTL_WORDS)]
        else:
            args.append("/data/%s.csv" % pick(rng, INTL_WORDS).replace(" ", "_"))
    wd = pick(rng, CD_WDS)
    uid = pick(rng, ("0", "0", "0", "1000", "101", "999", "65532", "1001"))
    a = r()
    action, etype = ("exec", "start") if a < 0.5 else ("fork", "start") if a < 0.65 else ("end", "end")
    pargs, pexe = pick(rng, CD_PARENTS)
    pod = workload
    if ptype in ("ReplicaSet", "Deployment"):
        pod = "%s-%s-%s" % (workload, hexs(rng, 9 if r() < 0.5 else 10), b64ish(rng, 5).lower().replace("+", "x").replace("/", "z"))
    elif ptype == "StatefulSet":
        pod = "%s-%d" % (workload, between(rng, 0, 4))
    elif ptype in ("Job", "CronJob"):
        pod = "%s-%d-%s" % (workload, between(rng, 28571000, 28579999), b64ish(rng, 5).lower().replace("+", "x").replace("/", "z"))
    elif ptype == "DaemonSet":
        pod = "%s-%s" % (workload, b64ish(rng, 5).lower().replace("+", "x").replace("/", "z"))
    proc = {"args": args, "entity_id": _b64_entity(rng), "executable": exe, "interactive": r() < 0.2, "name": name,
            "pid": between(rng, 7, 4000000), "start": TS, "working_directory": wd, "user": {"id": uid}, "group": {"id": uid}}
    full = r() < 0.75  # agents >= 8.8 send the leaders; a lean shipper drops them
    if full:
        proc["parent"] = _cd_leader(rng, pargs[0].rsplit("/", 1)[-1], pexe, pargs, wd, False, uid)
        proc["session_leader"] = _cd_leader(rng, "bash", "/bin/bash", ["bash"], "/", False, "0", True)
        proc["entry_leader"] = _cd_leader(rng, pargs[0].rsplit("/", 1)[-1], pexe, pargs, "/", False, "0", True)
        proc["group_leader"] = _cd_leader(rng, name, exe, args, wd, True, uid)
    else:
        proc["parent"] = {"pid": between(rng, 1, 4000000), "name": pargs[0].rsplit("/", 1)[-1]}
    if action == "exec" and r() < 0.7:
        proc["previous"] = [{"args": pargs, "executable": pexe}]
    if etype == "end":
        proc["end"] = TS
        proc["exit_code"] = pick(rng, (0, 0, 0, 0, 1, 2, 127, 137, 143))
    policy_rev = between(rng, 1, 12)
    if host.startswith("gke"):
        cloud = {"account": {"id": "acme-%s" % pick(rng, ("prod", "staging"))}, "availability_zone": "us-central1-a",
                 "provider": "gcp", "region": "us-central1", "instance": {"id": str(between(rng, 10 ** 17, 10 ** 18))},
                 "project": {"id": "acme-%s-%s" % (pick(rng, ("prod", "staging")), between(rng, 100000, 999999))}}
    elif host.startswith("aks"):
        cloud = {"account": {"id": uuid(rng)}, "availability_zone": "westeurope-1", "provider": "azure", "region": "westeurope",
                 "instance": {"id": uuid(rng)}}
    else:
        region = "eu-west-1" if ".eu-west-1." in host else "us-east-1"
        cloud = {"account": {"id": pick(rng, CT_ACCOUNTS)}, "availability_zone": region + pick(rng, ("a", "b", "c")),
                 "provider": "aws", "region": region, "instance": {"id": "i-0%s" % hexs(rng, 16)}}
        if r() < 0.4:
            cloud["account"]["name"] = pick(rng, ("elastic-dev", "prod", "shared-services"))
    doc = {"@timestamp": TS,
           "agent": {"id": uuid(rng), "type": "cloud-defend", "version": pick(rng, AGENT_VERSIONS)},
           "cloud": cloud,
           "cloud_defend": {"matched_selectors": [pick(rng, ("allProcesses", "interactiveSessions", "execInContainers"))],
                            "package_policy_id": uuid(rng), "package_policy_revision": policy_rev,
                            "hook_point": [pick(rng, ("tracepoint__sched_process_exec", "tracepoint__sched_process_fork",
                                                      "tracepoint__sched_process_exit"))]},
           "container": {"id": hexs(rng, 64), "image": {"name": image, "tag": [tag]}},
           "data_stream": data_stream("cloud_defend.process", pick(rng, ("default",) * 5 + ("prod", "k8s"))),
           "ecs": {"version": "8.7.0"},
           "event": {"action": action, "agent_id_status": pick(rng, ("verified", "verified", "auth_metadata_missing")),
                     "category": ["process"], "created": TS, "dataset": "cloud_defend.process", "id": UID, "ingested": ING,
                     "kind": "event", "module": "cloud_defend", "type": [etype]},
           "group": {"id": uid},
           "host": {"architecture": pick(rng, ("amd64", "arm64")), "boot": {"id": uuid(rng)}, "hostname": host,
                    "id": hexs(rng, 32), "ip": ips, "name": host,
                    "os": {"family": osfam, "kernel": kernel, "name": "Linux", "type": "linux", "version": osver},
                    "pid_ns_ino": 4026531836},
           "orchestrator": {"cluster": {"id": uuid(rng), "name": pick(rng, ("prod-eks", "staging", "website", "data-platform"))},
                            "namespace": k8s_ns,
                            "resource": {"ip": "172.%d.%d.%d" % (between(rng, 16, 31), between(rng, 0, 255), between(rng, 2, 250)),
                                         "name": pod, "type": "pod", "parent": {"type": ptype},
                                         "label": ["app:" + workload] + (["team:%s" % pick(rng, ("platform", "data", "web", "payments"))] if r() < 0.6 else []),
                                         "annotation": ["kubectl.kubernetes.io/default-container: main"] if r() < 0.4 else []}},
           "process": proc,
           "user": {"id": uid}}
    if host.startswith("docker"):
        del doc["orchestrator"]
    if r() < 0.3:
        doc["host"]["mac"] = ["%s:%s:%s:%s:%s:%s" % tuple(hexs(rng, 2) for _ in range(6))]
    return "cloud_defend:%s:%s" % (action, "full" if full else "lean"), doc


# ---------------------------------------------------------------------------
# sshd (system.auth)
# ---------------------------------------------------------------------------

SSH_HOSTS = ("bastion-1", "bastion-2", "build-agent-03", "db-primary", "web-prod-01", "web-prod-02", "gitlab-runner-7",
             "ip-10-0-0-5", "vpn-gw", "sftp-partner-01", "jump.eu-west-1", "nas-backup")
SSH_OS = ({"family": "debian", "name": "Ubuntu", "version": "22.04.4 LTS (Jammy Jellyfish)", "type": "linux", "platform": "ubuntu",
           "kernel": "5.15.0-105-generic", "codename": "jammy"},
          {"family": "debian", "name": "Debian GNU/Linux", "version": "12 (bookworm)", "type": "linux", "platform": "debian",
           "kernel": "6.1.0-18-amd64", "codename": "bookworm"},
          {"family": "redhat", "name": "Red Hat Enterprise Linux", "version": "9.3 (Plow)", "type": "linux", "platform": "rhel",
           "kernel": "5.14.0-362.24.1.el9_3.x86_64"},
          {"family": "redhat", "name": "Amazon Linux", "version": "2023", "type": "linux", "platform": "amzn",
           "kernel": "6.1.79-99.167.amzn2023.x86_64"})
SSH_USERS = ("root", "admin", "ubuntu", "ec2-user", "deploy", "git", "oracle", "test", "pi", "alice", "jenkins", "ansible",
             "postgres", "user", "guest", "support", "ftpuser", "hadoop", "r.okafor", "k.tanaka", "sftp-acme", "backup")
SSH_KEYS = (("RSA", "vM3bVT7nQYm8YB0WzL6oWsw0JmJu3EYmQ1jf7GfqCRA"), ("ED25519", "pX9fQ2Lr7uK1cT8wZ0mN4bV6yH3jS5aD2gE9kR1tQwE"),
            ("ECDSA", "Jq4nB8vC2xZ6mL0pK3hG7fD1sA9wE5rT2yU8iO4pQbM"), ("RSA", "3kF9dL2mQ8wE1rT6yU0iO5pA7sD4fG2hJ9kL3zX8cVb"))
# (weight, label, message format, event.action, category, type, outcome, ssh event, method)
SSH_EVENTS = (
    (12, "accepted_publickey", "Accepted publickey for {u} from {ip} port {p} ssh2: {kt} SHA256:{fp}", "ssh_login",
     ["authentication", "session"], ["info"], "success", "Accepted", "publickey"),
    (4, "accepted_password", "Accepted password for {u} from {ip} port {p} ssh2", "ssh_login",
     ["authentication", "session"], ["info"], "success", "Accepted", "password"),
    (14, "failed_password", "Failed password for {u} from {ip} port {p} ssh2", "ssh_login",
     ["authentication"], ["info"], "failure", "Failed", "password"),
    (10, "failed_password_invalid", "Failed password for invalid user {u} from {ip} port {p} ssh2", "ssh_login",
     ["authentication"], ["info"], "failure", "Failed", "password"),
    (10, "invalid_user", "Invalid user {u} from {ip} port {p}", "ssh_login", ["authentication"], ["info"], "failure", "Invalid", None),
    (12, "session_opened", "pam_unix(sshd:session): session opened for user {u}(uid={uid}) by (uid=0)", None,
     ["session"], ["start"], None, None, None),
    (11, "session_closed", "pam_unix(sshd:session): session closed for user {u}", None, ["session"], ["end"], None, None, None),
    (6, "received_disconnect", "Received disconnect from {ip} port {p}:11: disconnected by user", None,
     ["network"], ["connection", "end"], None, None, None),
    (6, "disconnected", "Disconnected from user {u} {ip} port {p}", None, ["network"], ["connection", "end"], None, None, None),
    (5, "closed_preauth", "Connection closed by authenticating user {u} {ip} port {p} [preauth]", None,
     ["network"], ["connection", "end"], None, None, None),
    (4, "reset_preauth", "Connection reset by {ip} port {p} [preauth]", None, ["network"], ["connection", "end"], None, None, None),
    (3, "pam_auth_failure", "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost={ip}  user={u}",
     None, ["authentication"], ["info"], "failure", None, None),
    (2, "kex_error", "error: kex_exchange_identification: Connection closed by remote host", None, None, None, None, None, None),
    (2, "max_auth", "error: maximum authentication attempts exceeded for invalid user {u} from {ip} port {p} ssh2 [preauth]",
     None, ["authentication"], ["info"], "failure", None, None),
    (1, "listening", "Server listening on 0.0.0.0 port 22.", None, None, None, None, None, None),
)


def sshd_doc(rng, intl=False):
    r = rng.random
    _, label, fmt, action, category, etype, outcome, ssh_ev, method = weighted(rng, SSH_EVENTS)
    # intl: a user name with non-ASCII letters, else a client address with non-ASCII GeoIP names
    u = pick(rng, INTL_NAMES) if intl and "{u}" in fmt else pick(rng, SSH_USERS)
    src = _source(rng, intl and "{u}" not in fmt)
    ip = src["ip"]
    port = between(rng, 1024, 65535)
    kt, fp = pick(rng, SSH_KEYS)
    host = pick(rng, SSH_HOSTS)
    uid = {"root": 0}.get(u, between(rng, 1000, 1010))
    msg = fmt.format(u=u, ip=ip, p=port, kt=kt, fp=fp, uid=uid)
    pid = between(rng, 300, 4194304)
    lean = r() < 0.15 and not (intl and "{u}" not in fmt)
    doc = {"@timestamp": TS, "data_stream": data_stream("system.auth", pick(rng, ("default",) * 6 + ("prod", "linux")))}
    ev = {"dataset": "system.auth", "module": "system", "ingested": ING, "kind": "event"}
    if action:
        ev["action"] = action
    if category:
        ev["category"] = category
        ev["type"] = etype
    if outcome:
        ev["outcome"] = outcome
    doc["event"] = ev
    doc["host"] = {"hostname": host, "name": host}
    doc["message"] = msg
    doc["process"] = {"name": "sshd", "pid": pid}
    has_user = "{u}" in fmt
    if "{ip}" in fmt:
        src["port"] = port
        doc["source"] = src if not lean else {"ip": ip, "port": port}
    if has_user:
        doc["user"] = {"name": u}
        if "session opened" in msg:
            doc["user"]["id"] = str(uid)
    if ssh_ev:
        ssh = {"event": ssh_ev}
        if method:
            ssh["method"] = method
        if "SHA256" in msg:
            ssh["signature"] = "%s SHA256:%s" % (kt, fp)
        doc["system"] = {"auth": {"ssh": ssh}}
    if lean:
        return "sshd:%s:lean" % label, doc
    agent_version = pick(rng, AGENT_VERSIONS)
    doc["agent"] = {"type": "filebeat", "version": agent_version, "name": host, "id": uuid(rng), "ephemeral_id": uuid(rng)}
    doc["ecs"] = {"version": "8.11.0"}
    doc["host"].update({"architecture": "x86_64", "id": hexs(rng, 32), "os": dict(pick(rng, SSH_OS)),
                        "ip": ["10.%d.%d.%d" % (between(rng, 0, 63), between(rng, 0, 255), between(rng, 1, 254))],
                        "mac": ["%s-%s-%s-%s-%s-%s" % tuple(hexs(rng, 2).upper() for _ in range(6))],
                        "containerized": False})
    if r() < 0.5:
        doc["input"] = {"type": "log"}
        doc["log"] = {"file": {"path": pick(rng, ("/var/log/auth.log", "/var/log/secure"))}, "offset": int(r() * 90000000)}
    else:
        doc["input"] = {"type": "journald"}
        doc["journald"] = {"host": {"boot_id": hexs(rng, 32)}, "pid": pid, "uid": 0, "gid": 0, "custom": {"syslog_timestamp": "Jun  1 00:00:00 "},
                           "process": {"command_line": "sshd: %s [priv]" % u if has_user else "/usr/sbin/sshd -D",
                                       "executable": "/usr/sbin/sshd", "name": "sshd", "capabilities": "1ffffffffff"}}
        doc["systemd"] = {"unit": pick(rng, ("ssh.service", "sshd.service")), "slice": "system.slice", "cgroup": "/system.slice/ssh.service",
                          "invocation_id": hexs(rng, 32), "transport": "syslog"}
        doc["log"] = {"syslog": {"facility": {"code": 4, "name": "auth"}, "priority": 6, "appname": "sshd", "procid": str(pid)}}
    rel = {"hosts": [host]}
    if "{ip}" in fmt:
        rel["ip"] = [ip]
    if has_user:
        rel["user"] = [u]
    doc["related"] = rel
    if r() < 0.3:
        doc["tags"] = [pick(rng, ("bastion", "prod", "pci")), "linux"]
    return "sshd:%s" % label, doc


# ---------------------------------------------------------------------------
# nginx access
# ---------------------------------------------------------------------------

NGX_HOSTS = ("web-01", "web-02", "web-03", "edge-lb-1", "edge-lb-2", "ingress-nginx-controller-7d9f8c6b5-x2kqp", "static-cdn-origin")
NGX_UAS = (
    ("Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0", "Firefox", "126.0", "Linux"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36", "Chrome", "125.0.0.0", "Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15", "Safari", "17.4.1", "Mac OS X"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Mobile Safari", "17.5", "iOS"),
    ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.6422.113 Mobile Safari/537.36", "Chrome Mobile", "125.0.6422.113", "Android"),
    ("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", "Googlebot", "2.1", None),
    ("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)", "bingbot", "2.0", None),
    ("Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)", "AhrefsBot", "7.0", None),
    ("curl/8.5.0", "curl", "8.5.0", None), ("curl/7.81.0", "curl", "7.81.0", None),
    ("kube-probe/1.29", "Other", None, None), ("kube-probe/1.30", "Other", None, None),
    ("Go-http-client/1.1", "Go-http-client", "1.1", None), ("Go-http-client/2.0", "Go-http-client", "2.0", None),
    ("python-requests/2.31.0", "Python Requests", "2.31", None), ("okhttp/4.12.0", "okhttp", "4.12.0", None),
    ("Dart/3.3 (dart:io)", "Other", None, None), ("ELB-HealthChecker/2.0", "Other", None, None),
    ("Prometheus/2.51.2", "Other", None, None), ("Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)", "Slackbot-LinkExpanding", "1.0", None),
    ("-", "Other", None, None),
    ("Mozilla/5.0 zgrab/0.x", "Other", None, None),
)
NGX_REFERRERS = ("-", "-", "-", "https://www.example.com/", "https://www.google.com/", "https://shop.example.com/cart",
                 "https://app.example.com/dashboard?tab=billing", "android-app://com.google.android.gm/")
NGX_STATIC = ("/static/js/main.%s.js", "/static/css/app.%s.css", "/assets/img/hero-%s.webp", "/_next/static/chunks/%s.js",
              "/fonts/inter-var.%s.woff2", "/images/products/%s.jpg")
NGX_API = ("/api/v1/orders/%d", "/api/v1/orders?page=%d&sort=desc", "/api/v2/users/%d/profile", "/api/v2/search?q=%s&limit=%d",
           "/api/v1/cart/items/%d", "/graphql", "/api/v1/payments/%d/capture", "/api/internal/metrics", "/api/v1/sessions",
           "/oauth/token", "/api/v1/products?category=%s&page=%d", "/api/v1/inventory/%d/reserve", "/ws/notifications")
NGX_PAGES = ("/", "/index.html", "/login", "/logout", "/signup", "/pricing", "/docs/getting-started", "/blog/2024/05/%s",
             "/products/%s", "/account/settings", "/checkout", "/robots.txt", "/sitemap.xml", "/favicon.ico", "/healthz",
             "/status", "/metrics", "/nginx_status")
NGX_SCANS = ("/wp-login.php", "/xmlrpc.php", "/.env", "/.git/config", "/admin/config.php", "/phpmyadmin/index.php",
             "/cgi-bin/luci/;stok=/locale", "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php", "/actuator/env",
             "/.aws/config", "/server-status", "/boaform/admin/formLogin", "/HNAP1/", "/owa/auth/logon.aspx")
NGX_WORDS = ("shoes", "laptop", "coffee-grinder", "usb-c-cable", "winter-jacket", "garden-hose", "headphones", "desk-lamp")


def _ngx_request(rng):
    r = rng.random()
    p = lambda seq: pick(rng, seq)
    if r < 0.35:
        m = p(("GET", "GET", "GET", "POST", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"))
        tpl = p(NGX_API)
        vals = []
        for part in tpl.split("%")[1:]:
            vals.append(between(rng, 1, 999999) if part[0] == "d" else p(NGX_WORDS))
        url = tpl % tuple(vals)
        status = p((200, 200, 200, 200, 201, 204, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504))
        size = 0 if status == 204 or m == "OPTIONS" else between(rng, 20, 60000)
        if r < 0.05:
            url += "&utm_source=newsletter&utm_medium=email&utm_campaign=summer-sale-2024&utm_content=%s" % hexs(rng, 8)
    elif r < 0.60:
        m = "GET"
        url = p(NGX_STATIC) % hexs(rng, 8)
        status = p((200, 200, 200, 304, 304, 404, 206))
        size = 0 if status == 304 else between(rng, 150, 560) if status == 404 else between(rng, 300, 3000000)
    elif r < 0.88:
        m = p(("GET", "GET", "HEAD", "POST"))
        url = p(NGX_PAGES)
        if "%s" in url:
            url = url % p(NGX_WORDS)
        status = p((200, 200, 200, 301, 302, 304, 404))
        size = between(rng, 0, 90000) if m != "HEAD" else 0
    else:
        m = p(("GET", "GET", "POST", "HEAD", "PROPFIND", "CONNECT"))
        url = p(NGX_SCANS)
        status = p((404, 404, 404, 403, 400, 405, 444, 301))
        size = p((0, 146, 153, 162, 548, 555))
    return m, url, status, size


def nginx_doc(rng, intl=False):
    r = rng.random
    m, url, status, size = _ngx_request(rng)
    src = _source(rng, intl)
    ua, ua_name, ua_ver, ua_os = pick(rng, NGX_UAS)
    ref = pick(rng, NGX_REFERRERS)
    host = pick(rng, NGX_HOSTS)
    ver = pick(rng, ("1.1", "1.1", "1.1", "2.0", "1.0"))
    rt = "%.3f" % (r() * (0.05 if status < 400 else 2.0))
    path, _, query = url.partition("?")
    u = {"original": url, "path": path}
    if query:
        u["query"] = query
    last = path.rsplit("/", 1)[-1]
    if "." in last:
        u["extension"] = last.rsplit(".", 1)[-1]
    if r() < 0.3:
        u["domain"] = pick(rng, ("www.example.com", "shop.example.com", "api.example.com", "static.example.com"))
    msg = '%s - - [%s] "%s %s HTTP/%s" %d %d "%s" "%s"' % (src["ip"], NGX, m, url, ver, status, size, ref, ua)
    if r() < 0.3:  # a log_format with $request_time $upstream_response_time
        msg += " %s %s" % (rt, rt if status != 499 else "-")
    lean = r() < 0.15 and not intl  # intl: the client's GeoIP names are not ASCII
    doc = {"@timestamp": TS, "data_stream": data_stream("nginx.access", pick(rng, ("default",) * 6 + ("prod", "edge"))),
           "event": {"category": ["web"], "type": ["access"], "kind": "event", "dataset": "nginx.access", "module": "nginx",
                     "ingested": ING, "outcome": "success" if status < 400 else "failure"},
           "http": {"request": {"method": m}, "response": {"status_code": status, "body": {"bytes": size}}, "version": ver},
           "message": msg,
           "source": src if not lean else {"ip": src["ip"]},
           "url": u,
           "user_agent": {"original": ua}}
    if ref != "-":
        doc["http"]["request"]["referrer"] = ref
    if lean:
        return "nginx:%d:lean" % (status // 100), doc
    doc["event"]["created"] = ING
    doc["agent"] = {"type": "filebeat", "version": pick(rng, AGENT_VERSIONS), "name": host, "id": uuid(rng), "ephemeral_id": uuid(rng)}
    doc["ecs"] = {"version": "8.11.0"}
    doc["host"] = {"hostname": host, "name": host, "architecture": "x86_64",
                   "ip": ["10.%d.%d.%d" % (between(rng, 0, 63), between(rng, 0, 255), between(rng, 1, 254))]}
    doc["input"] = {"type": pick(rng, ("log", "filestream"))}
    doc["log"] = {"file": {"path": pick(rng, ("/var/log/nginx/access.log", "/var/log/nginx/%s.access.log" % pick(rng, ("api", "www", "shop"))))},
                  "offset": int(r() * 900000000)}
    doc["nginx"] = {"access": {"remote_ip_list": [src["ip"]] if r() < 0.8 else [src["ip"], "10.0.%d.%d" % (between(rng, 0, 9), between(rng, 1, 254))]}}
    doc["related"] = {"ip": [src["ip"]]}
    ua_doc = {"original": ua, "name": ua_name, "device": {"name": "Spider" if "bot" in ua.lower() else "Other"}}
    if ua_ver:
        ua_doc["version"] = ua_ver
    if ua_os:
        ua_doc["os"] = {"name": ua_os}
    doc["user_agent"] = ua_doc
    if r() < 0.25:
        doc["tags"] = ["nginx-access", pick(rng, ("edge", "k8s", "legacy"))]
    if r() < 0.2 and doc["input"]["type"] == "filestream":
        doc["log"]["file"].update({"device_id": str(between(rng, 64768, 66305)), "inode": str(between(rng, 100000, 9999999))})
    return "nginx:%d" % (status // 100), doc


# ---------------------------------------------------------------------------
# Pool
# ---------------------------------------------------------------------------

BUILDERS = {"cloudtrail": cloudtrail_doc, "cloud_defend": cloud_defend_doc, "sshd": sshd_doc, "nginx": nginx_doc}


def _check(text, intl, label):
    """The oracle's verdict on one template (slots filled with sample values): it must parse and
    match no seed rule; a plain template must be ASCII."""
    raw = text
    for k, v in SLOT_SAMPLES.items():
        raw = raw.replace("\x00%s\x00" % k, v)
    verdict = oracle.evaluate_line(raw.encode("utf-8"))
    if verdict is oracle.REJECTED or verdict is oracle.BLANK:
        raise AssertionError("wide_events: %s template does not parse: %s" % (label, raw[:300]))
    if verdict:
        raise AssertionError("wide_events: %s background template matches %s: %s" % (label, verdict, raw[:300]))
    if not intl and not raw.isascii():
        raise AssertionError("wide_events: %s template meant to be ASCII is not: %s" % (label, raw[:300]))


def build_pool(rng, render, n, shares):
    """n templates, split by shares ((kind, share), ...): a list of (rendered text with slot
    markers, kind label).  render(doc, order, lift, spaced) -> text, where order is "sorted",
    "insertion" or "shuffled" and lift the chance an object is written as dotted keys."""
    pool = []
    for kind, share in shares:
        build = BUILDERS[kind]
        for _ in range(int(n * share)):
            intl = rng.random() < INTL_SHARE
            label, doc = build(rng, intl)
            _, order, lift = weighted(rng, LAYOUTS)
            spaced = rng.random() < SPACED_SHARE
            if order == "sorted":
                doc = sort_keys(doc)
            if intl and dumps_with_slots(doc).isascii():
                intl = False  # (a builder that found no natural place for it)
            text = render(doc, order == "shuffled", lift, spaced)
            _check(text, intl, label)
            if intl:
                label += ":intl"
            pool.append((text, label))
    rng.shuffle(pool)
    return pool
