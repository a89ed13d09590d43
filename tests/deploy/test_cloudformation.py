"""deploy/cloudformation/ecs-fargate.yaml holds what the issue asks of it (cfn-lint checks the
rest in `make test`): read with cfn-lint's own loader, conditions resolved both ways."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

REPO = Path(__file__).resolve().parents[2]
TEMPLATE: dict[str, Any] = cfn_yaml.load(
    str(REPO / "deploy" / "cloudformation" / "ecs-fargate.yaml")
)
NO_VALUE = {"Ref": "AWS::NoValue"}
ALL_ON = {"WithDatabase": True, "WithRedis": True, "WithOAuth": True, "WithDnsRecord": True}
ALL_OFF = dict.fromkeys(ALL_ON, False)


def resolved(node: Any, conditions: dict[str, bool]) -> Any:
    """`node` with every Fn::If decided by `conditions` and AWS::NoValue dropped."""
    if isinstance(node, dict):
        if set(node) == {"Fn::If"}:
            name, then, otherwise = node["Fn::If"]
            return resolved(then if conditions[name] else otherwise, conditions)
        return {k: resolved(v, conditions) for k, v in node.items() if v != NO_VALUE}
    if isinstance(node, list):
        items = [resolved(item, conditions) for item in node]
        return [item for item in items if item != NO_VALUE]
    return node


def resources(conditions: dict[str, bool]) -> dict[str, dict[str, Any]]:
    """The resources created under `conditions`, resolved."""
    return {
        name: resolved(resource, conditions)
        for name, resource in TEMPLATE["Resources"].items()
        if conditions.get(resource.get("Condition", ""), True)
    }


def props(name: str, conditions: dict[str, bool] = ALL_ON) -> dict[str, Any]:
    """The resolved properties of one resource."""
    return dict(resources(conditions)[name]["Properties"])


def container(conditions: dict[str, bool] = ALL_ON) -> dict[str, Any]:
    """The bot's container definition."""
    [bot] = props("TaskDefinition", conditions)["ContainerDefinitions"]
    return dict(bot)


def test_parameters_cover_network_image_certificate_counts_and_size() -> None:
    """VPC, public and private subnets, image, certificate, desired/min/max, CPU and memory."""
    expected = {
        "VpcId": "AWS::EC2::VPC::Id",
        "PublicSubnetIds": "List<AWS::EC2::Subnet::Id>",
        "PrivateSubnetIds": "List<AWS::EC2::Subnet::Id>",
        "ImageUri": "String",
        "CertificateArn": "String",
        "DesiredCount": "Number",
        "MinCount": "Number",
        "MaxCount": "Number",
        "TaskCpu": "String",
        "TaskMemory": "String",
    }
    assert {k: TEMPLATE["Parameters"][k]["Type"] for k in expected} == expected


def test_cluster_has_container_insights() -> None:
    """Container Insights on the cluster."""
    assert {"Name": "containerInsights", "Value": "enabled"} in props("Cluster")["ClusterSettings"]


def test_task_definition_is_fargate_awsvpc_with_bounded_logs_and_secrets() -> None:
    """Fargate, awsvpc, awslogs to a log group with a retention, the Slack secrets from
    Secrets Manager (never plain environment), the image's port and health check."""
    task = props("TaskDefinition", ALL_OFF)
    assert (task["RequiresCompatibilities"], task["NetworkMode"]) == (["FARGATE"], "awsvpc")
    bot = container(ALL_OFF)
    logs = bot["LogConfiguration"]
    assert logs["LogDriver"] == "awslogs"
    assert logs["Options"]["awslogs-group"] == {"Ref": "LogGroup"}
    assert props("LogGroup")["RetentionInDays"] == {"Ref": "LogRetentionDays"}
    secrets = {s["Name"]: s["ValueFrom"]["Fn::Sub"] for s in bot["Secrets"]}
    assert secrets == {
        name: f"${{SlackSecretArn}}:{name}::"
        for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "USER_HASH_SALT")
    }
    assert not [e for e in bot["Environment"] if re.search("TOKEN|SECRET|PASSWORD", e["Name"])]
    assert bot["PortMappings"] == [{"ContainerPort": 3000, "Protocol": "tcp"}]
    assert bot["HealthCheck"]["Command"] == ["CMD", "ecsbot-healthcheck"]
    assert {"Name": "LOG_FORMAT", "Value": "json"} in bot["Environment"]
    assert bot["StopTimeout"] == 30 and bot["LinuxParameters"]["InitProcessEnabled"] is True


def test_service_runs_in_private_subnets_behind_the_load_balancer_with_rollback() -> None:
    """Private subnets, no public IP, the target group, the circuit breaker with rollback."""
    service = props("Service")
    network = service["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["Subnets"] == {"Ref": "PrivateSubnetIds"}
    assert network["AssignPublicIp"] == "DISABLED"
    assert network["SecurityGroups"] == [{"Ref": "TaskSecurityGroup"}]
    [target] = service["LoadBalancers"]
    assert target["TargetGroupArn"] == {"Ref": "TargetGroup"}
    breaker = service["DeploymentConfiguration"]["DeploymentCircuitBreaker"]
    assert breaker == {"Enable": True, "Rollback": True}


def test_load_balancer_is_https_with_http_redirected_and_checks_healthz() -> None:
    """Internet-facing in the public subnets; HTTPS with the certificate; HTTP redirected to
    HTTPS; the target group checks /healthz; /metrics is not served to the internet."""
    balancer = props("LoadBalancer")
    assert balancer["Scheme"] == "internet-facing"
    assert balancer["Subnets"] == {"Ref": "PublicSubnetIds"}
    https, http = props("HttpsListener"), props("HttpListener")
    assert https["Protocol"] == "HTTPS"
    assert https["Certificates"] == [{"CertificateArn": {"Ref": "CertificateArn"}}]
    [redirect] = http["DefaultActions"]
    assert redirect["Type"] == "redirect" and redirect["RedirectConfig"]["Protocol"] == "HTTPS"
    assert props("TargetGroup")["HealthCheckPath"] == "/healthz"
    rule = props("MetricsStayInside")
    assert rule["Conditions"][0]["PathPatternConfig"]["Values"] == ["/metrics"]
    assert rule["Actions"][0]["Type"] == "fixed-response"


def test_auto_scaling_tracks_cpu_and_requests_per_target() -> None:
    """Target tracking on average CPU and on ALBRequestCountPerTarget, between min and max."""
    target = props("ScalableTarget")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (
        {"Ref": "MinCount"},
        {"Ref": "MaxCount"},
    )
    metrics = {
        props(name)["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"][
            "PredefinedMetricType"
        ]
        for name in ("CpuScaling", "RequestScaling")
    }
    assert metrics == {"ECSServiceAverageCPUUtilization", "ALBRequestCountPerTarget"}


def _statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for policy in role.get("Policies", []) for s in policy["PolicyDocument"]["Statement"]]


def test_task_and_execution_roles_are_separate_and_least_privilege() -> None:
    """Two roles; the task role may do nothing (the bot calls no AWS API); the execution role
    has no managed policy and no wildcard but the ECR login, and reads only the bot's
    secrets."""
    task = props("TaskDefinition")
    assert task["TaskRoleArn"] == {"Fn::GetAtt": ["TaskRole", "Arn"]}
    assert task["ExecutionRoleArn"] == {"Fn::GetAtt": ["ExecutionRole", "Arn"]}
    role = props("TaskRole")
    assert "Policies" not in role and "ManagedPolicyArns" not in role
    execution = props("ExecutionRole")
    assert "ManagedPolicyArns" not in execution
    statements = _statements(execution)
    assert [s["Action"] for s in statements if s["Resource"] == "*"] == [
        "ecr:GetAuthorizationToken"
    ]
    assert not [s for s in statements if "*" in str(s["Action"])]
    [secrets] = [s for s in statements if s["Action"] == "secretsmanager:GetSecretValue"]
    assert secrets["Resource"] == [
        {"Ref": "SlackSecretArn"},
        {"Fn::GetAtt": ["Database", "MasterUserSecret.SecretArn"]},
    ]


def _ingress_rules(conditions: dict[str, bool]) -> list[tuple[str, dict[str, Any]]]:
    """(target group name, rule) for every ingress rule, inline or separate."""
    rules = []
    for name, resource in resources(conditions).items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::EC2::SecurityGroup":
            rules += [(name, rule) for rule in properties.get("SecurityGroupIngress", [])]
        elif resource["Type"] == "AWS::EC2::SecurityGroupIngress":
            rules.append((properties["GroupId"]["Ref"], properties))
    return rules


@pytest.mark.parametrize("conditions", [ALL_ON, ALL_OFF], ids=["with storage", "without"])
def test_only_the_load_balancer_reaches_the_tasks(conditions: dict[str, bool]) -> None:
    """The tasks take connections from the load balancer's group only; the database and
    Redis from the tasks' group only; only the load balancer is open to the internet."""
    sources = {"TaskSecurityGroup": "LoadBalancerSecurityGroup"}
    sources |= {
        "DatabaseSecurityGroup": "TaskSecurityGroup",
        "RedisSecurityGroup": "TaskSecurityGroup",
    }
    for group, rule in _ingress_rules(conditions):
        if group == "LoadBalancerSecurityGroup":
            assert rule["FromPort"] in (80, 443) and rule["CidrIp"] == "0.0.0.0/0"
        else:
            assert "CidrIp" not in rule and "CidrIpv6" not in rule, (group, rule)
            assert rule["SourceSecurityGroupId"] == {"Ref": sources[group]}, (group, rule)


def test_database_and_redis_are_optional_and_wired_into_the_task() -> None:
    """With them: DATABASE_URL on the RDS endpoint with its password from the RDS-managed
    secret, REDIS_URL on the ElastiCache endpoint. Without them: neither resource nor setting."""
    with_storage, without = resources(ALL_ON), resources(ALL_OFF)
    assert {"Database", "Redis"} <= set(with_storage)
    assert not {"Database", "Redis"} & set(without)
    env = {e["Name"]: e["Value"] for e in container(ALL_ON)["Environment"]}
    assert env["DATABASE_URL"]["Fn::Sub"].startswith(
        "postgresql+psycopg://ecsbot@${Database.Endpoint.Address}:"
    )
    assert env["REDIS_URL"]["Fn::Sub"].startswith("rediss://${Redis.PrimaryEndPoint.Address}:")
    secrets = {s["Name"]: s["ValueFrom"]["Fn::Sub"] for s in container(ALL_ON)["Secrets"]}
    assert secrets["DATABASE_PASSWORD"] == "${Database.MasterUserSecret.SecretArn}:password::"
    assert props("Database")["ManageMasterUserPassword"] is True
    names = {e["Name"] for e in container(ALL_OFF)["Environment"]}
    assert not {"DATABASE_URL", "REDIS_URL"} & names


def test_outputs_give_the_urls_to_paste_into_slack() -> None:
    """The request URL and the OAuth redirect URL, on the certificate's domain name."""
    outputs = {k: v["Value"] for k, v in TEMPLATE["Outputs"].items()}
    assert outputs["SlackRequestUrl"] == {"Fn::Sub": "https://${DomainName}/slack/events"}
    assert outputs["OAuthRedirectUrl"] == {"Fn::Sub": "https://${DomainName}/slack/oauth_redirect"}
