"""The Agent V2 snapshot layout (bukahou/atlhyper 92d37dd, `model_v2/`), as `gojson` structs.

Each struct lists its fields in Go's order with the JSON tag, the type and
omitempty, read from `model_v2/*.go`. Go field names are the keys of fixture
values, so a later agent generation (68cc533, camelCase tags) can describe its
own structs in a module beside this one and reuse the same values.
"""

from __future__ import annotations

from .gojson import BOOL, F64, I32, I64, INT, STRING, TIME, F, Map, Ptr, Slice, Struct

STRINGS = Slice(STRING)
LABELS = Map(STRING)


def struct(name: str, *fields: object) -> Struct:
    """A struct; a tuple among `fields` is an embedded struct's fields, inlined as Go does."""
    flat = []
    for f in fields:
        flat.extend(f if isinstance(f, tuple) else [f])
    return Struct(name, tuple(flat))


COMMON_META = (
    F("UID", "uid"),
    F("Name", "name"),
    F("Namespace", "namespace", omit=True),
    F("Kind", "kind"),
    F("NodeName", "node_name", omit=True),
    F("OwnerKind", "owner_kind", omit=True),
    F("OwnerName", "owner_name", omit=True),
    F("Labels", "labels", LABELS, omit=True),
    F("CreatedAt", "created_at", TIME),
)

# -- shared pieces (deployment.go) --

TOLERATION = struct(
    "Toleration",
    F("Key", "key", omit=True),
    F("Operator", "operator", omit=True),
    F("Value", "value", omit=True),
    F("Effect", "effect", omit=True),
    F("TolerationSeconds", "tolerationSeconds", Ptr(I64), omit=True),
)
AFFINITY = struct(
    "Affinity",
    F("NodeAffinity", "nodeAffinity", omit=True),
    F("PodAffinity", "podAffinity", omit=True),
    F("PodAntiAffinity", "podAntiAffinity", omit=True),
)
CONTAINER_PORT = struct(
    "ContainerPort",
    F("Name", "name", omit=True),
    F("ContainerPort", "containerPort", I32),
    F("Protocol", "protocol", omit=True),
    F("HostPort", "hostPort", I32, omit=True),
)
ENV_VAR = struct(
    "EnvVar",
    F("Name", "name"),
    F("Value", "value", omit=True),
    F("ValueFrom", "valueFrom", omit=True),
)
VOLUME_MOUNT = struct(
    "VolumeMount",
    F("Name", "name"),
    F("MountPath", "mountPath"),
    F("SubPath", "subPath", omit=True),
    F("ReadOnly", "readOnly", BOOL, omit=True),
)
VOLUME_SPEC = struct(
    "VolumeSpec", F("Name", "name"), F("Type", "type"), F("Source", "source", omit=True)
)
PROBE = struct(
    "Probe",
    F("Type", "type"),
    F("Path", "path", omit=True),
    F("Port", "port", I32, omit=True),
    F("Command", "command", omit=True),
    F("InitialDelaySeconds", "initialDelaySeconds", I32, omit=True),
    F("PeriodSeconds", "periodSeconds", I32, omit=True),
    F("TimeoutSeconds", "timeoutSeconds", I32, omit=True),
    F("SuccessThreshold", "successThreshold", I32, omit=True),
    F("FailureThreshold", "failureThreshold", I32, omit=True),
)
CONTAINER_DETAIL = struct(
    "ContainerDetail",
    F("Name", "name"),
    F("Image", "image"),
    F("ImagePullPolicy", "imagePullPolicy", omit=True),
    F("Ports", "ports", Slice(CONTAINER_PORT), omit=True),
    F("Envs", "envs", Slice(ENV_VAR), omit=True),
    F("VolumeMounts", "volumeMounts", Slice(VOLUME_MOUNT), omit=True),
    F("Requests", "requests", LABELS, omit=True),
    F("Limits", "limits", LABELS, omit=True),
    F("LivenessProbe", "livenessProbe", Ptr(PROBE), omit=True),
    F("ReadinessProbe", "readinessProbe", Ptr(PROBE), omit=True),
    F("StartupProbe", "startupProbe", Ptr(PROBE), omit=True),
    F("Command", "command", STRINGS, omit=True),
    F("Args", "args", STRINGS, omit=True),
    F("WorkingDir", "workingDir", omit=True),
)
POD_TEMPLATE = struct(
    "PodTemplate",
    F("Labels", "labels", LABELS, omit=True),
    F("Annotations", "annotations", LABELS, omit=True),
    F("Containers", "containers", Slice(CONTAINER_DETAIL)),
    F("Volumes", "volumes", Slice(VOLUME_SPEC), omit=True),
    F("ServiceAccountName", "serviceAccountName", omit=True),
    F("NodeSelector", "nodeSelector", LABELS, omit=True),
    F("Tolerations", "tolerations", Slice(TOLERATION), omit=True),
    F("Affinity", "affinity", Ptr(AFFINITY), omit=True),
    F("RuntimeClassName", "runtimeClassName", omit=True),
    F("ImagePullSecrets", "imagePullSecrets", STRINGS, omit=True),
    F("HostNetwork", "hostNetwork", BOOL, omit=True),
    F("DNSPolicy", "dnsPolicy", omit=True),
)
LABEL_SELECTOR = struct(
    "LabelSelector",
    F("MatchLabels", "matchLabels", LABELS, omit=True),
    F(
        "MatchExpressions",
        "matchExpressions",
        Slice(
            struct(
                "LabelExpr",
                F("Key", "key"),
                F("Operator", "operator"),
                F("Values", "values", STRINGS, omit=True),
            )
        ),
        omit=True,
    ),
)

# -- pod.go --

POD = struct(
    "Pod",
    F(
        "Summary",
        "summary",
        struct(
            "PodSummary",
            F("Name", "name"),
            F("Namespace", "namespace"),
            F("NodeName", "nodeName", omit=True),
            F("OwnerKind", "ownerKind", omit=True),
            F("OwnerName", "ownerName", omit=True),
            F("CreatedAt", "createdAt", TIME),
            F("Age", "age"),
        ),
    ),
    F(
        "Spec",
        "spec",
        struct(
            "PodSpec",
            F("RestartPolicy", "restartPolicy", omit=True),
            F("ServiceAccountName", "serviceAccountName", omit=True),
            F("NodeSelector", "nodeSelector", LABELS, omit=True),
            F("Tolerations", "tolerations", Slice(TOLERATION), omit=True),
            F("Affinity", "affinity", Ptr(AFFINITY), omit=True),
            F("DNSPolicy", "dnsPolicy", omit=True),
            F("HostNetwork", "hostNetwork", BOOL, omit=True),
            F("RuntimeClassName", "runtimeClassName", omit=True),
            F("PriorityClassName", "priorityClassName", omit=True),
            F(
                "TerminationGracePeriodSeconds",
                "terminationGracePeriodSeconds",
                Ptr(I64),
                omit=True,
            ),
            F("ImagePullSecrets", "imagePullSecrets", STRINGS, omit=True),
        ),
    ),
    F(
        "Status",
        "status",
        struct(
            "PodStatus",
            F("Phase", "phase"),
            F("Ready", "ready"),
            F("Restarts", "restarts", I32),
            F("QoSClass", "qosClass", omit=True),
            F("PodIP", "podIP", omit=True),
            F("PodIPs", "podIPs", STRINGS, omit=True),
            F("HostIP", "hostIP", omit=True),
            F("Reason", "reason", omit=True),
            F("Message", "message", omit=True),
            F(
                "Conditions",
                "conditions",
                Slice(
                    struct(
                        "PodCondition",
                        F("Type", "type"),
                        F("Status", "status"),
                        F("Reason", "reason", omit=True),
                        F("Message", "message", omit=True),
                        F("LastTransitionTime", "lastTransitionTime", omit=True),
                    )
                ),
                omit=True,
            ),
            F("CPUUsage", "cpuUsage", omit=True),
            F("MemoryUsage", "memoryUsage", omit=True),
        ),
    ),
    F(
        "Containers",
        "containers",
        Slice(
            POD_CONTAINER := struct(
                "PodContainerDetail",
                F("Name", "name"),
                F("Image", "image"),
                F("ImagePullPolicy", "imagePullPolicy", omit=True),
                F("Command", "command", STRINGS, omit=True),
                F("Args", "args", STRINGS, omit=True),
                F("WorkingDir", "workingDir", omit=True),
                F("Ports", "ports", Slice(CONTAINER_PORT), omit=True),
                F("Envs", "envs", Slice(ENV_VAR), omit=True),
                F("VolumeMounts", "volumeMounts", Slice(VOLUME_MOUNT), omit=True),
                F("Requests", "requests", LABELS, omit=True),
                F("Limits", "limits", LABELS, omit=True),
                F("LivenessProbe", "livenessProbe", Ptr(PROBE), omit=True),
                F("ReadinessProbe", "readinessProbe", Ptr(PROBE), omit=True),
                F("StartupProbe", "startupProbe", Ptr(PROBE), omit=True),
                F("State", "state"),
                F("StateReason", "stateReason", omit=True),
                F("StateMessage", "stateMessage", omit=True),
                F("Ready", "ready", BOOL),
                F("RestartCount", "restartCount", I32),
                F("LastTerminationReason", "lastTerminationReason", omit=True),
                F("LastTerminationMessage", "lastTerminationMessage", omit=True),
                F("LastTerminationTime", "lastTerminationTime", omit=True),
            )
        ),
    ),
    F("InitContainers", "initContainers", Slice(POD_CONTAINER), omit=True),
    F("Volumes", "volumes", Slice(VOLUME_SPEC), omit=True),
    F("Labels", "labels", LABELS, omit=True),
    F("Annotations", "annotations", LABELS, omit=True),
)

# -- node.go --

NODE_RESOURCES = struct(
    "NodeResources",
    F("CPU", "cpu", omit=True),
    F("Memory", "memory", omit=True),
    F("Pods", "pods", omit=True),
    F("EphemeralStorage", "ephemeralStorage", omit=True),
    F("ScalarResources", "scalarResources", LABELS, omit=True),
)
NODE_RESOURCE_METRIC = struct(
    "NodeResourceMetric",
    F("Usage", "usage"),
    F("Allocatable", "allocatable", omit=True),
    F("Capacity", "capacity", omit=True),
    F("UtilPct", "utilPct", F64, omit=True),
)
NODE = struct(
    "Node",
    F(
        "Summary",
        "summary",
        struct(
            "NodeSummary",
            F("Name", "name"),
            F("Roles", "roles", STRINGS, omit=True),
            F("Ready", "ready"),
            F("Schedulable", "schedulable", BOOL),
            F("Age", "age"),
            F("CreationTime", "creationTime", TIME),
            F("Badges", "badges", STRINGS, omit=True),
            F("Reason", "reason", omit=True),
            F("Message", "message", omit=True),
        ),
    ),
    F(
        "Spec",
        "spec",
        struct(
            "NodeSpec",
            F("PodCIDRs", "podCIDRs", STRINGS, omit=True),
            F("ProviderID", "providerID", omit=True),
            F("Unschedulable", "unschedulable", BOOL, omit=True),
        ),
    ),
    F("Capacity", "capacity", NODE_RESOURCES),
    F("Allocatable", "allocatable", NODE_RESOURCES),
    F(
        "Addresses",
        "addresses",
        struct(
            "NodeAddresses",
            F("Hostname", "hostname", omit=True),
            F("InternalIP", "internalIP", omit=True),
            F("ExternalIP", "externalIP", omit=True),
            F(
                "All",
                "all",
                Slice(struct("NodeAddr", F("Type", "type"), F("Address", "address"))),
                omit=True,
            ),
        ),
    ),
    F(
        "Info",
        "info",
        struct(
            "NodeInfo",
            F("OSImage", "osImage", omit=True),
            F("OperatingSystem", "operatingSystem", omit=True),
            F("Architecture", "architecture", omit=True),
            F("KernelVersion", "kernelVersion", omit=True),
            F("ContainerRuntimeVersion", "containerRuntimeVersion", omit=True),
            F("KubeletVersion", "kubeletVersion", omit=True),
            F("KubeProxyVersion", "kubeProxyVersion", omit=True),
        ),
    ),
    F(
        "Conditions",
        "conditions",
        Slice(
            struct(
                "NodeCondition",
                F("Type", "type"),
                F("Status", "status"),
                F("Reason", "reason", omit=True),
                F("Message", "message", omit=True),
                F("LastHeartbeatTime", "lastHeartbeatTime", TIME, omit=True),
                F("LastTransitionTime", "lastTransitionTime", TIME, omit=True),
            )
        ),
        omit=True,
    ),
    F(
        "Taints",
        "taints",
        Slice(
            struct(
                "NodeTaint",
                F("Key", "key"),
                F("Value", "value", omit=True),
                F("Effect", "effect"),
                F("TimeAdded", "timeAdded", Ptr(TIME), omit=True),
            )
        ),
        omit=True,
    ),
    F("Labels", "labels", LABELS, omit=True),
    F(
        "Metrics",
        "metrics",
        Ptr(
            struct(
                "NodeMetrics",
                F("CPU", "cpu", NODE_RESOURCE_METRIC),
                F("Memory", "memory", NODE_RESOURCE_METRIC),
                F(
                    "Pods",
                    "pods",
                    struct(
                        "PodCountMetric",
                        F("Used", "used", INT),
                        F("Capacity", "capacity", INT),
                        F("UtilPct", "utilPct", F64, omit=True),
                    ),
                ),
                F(
                    "Pressure",
                    "pressure",
                    struct(
                        "PressureFlags",
                        F("MemoryPressure", "memoryPressure", BOOL, omit=True),
                        F("DiskPressure", "diskPressure", BOOL, omit=True),
                        F("PIDPressure", "pidPressure", BOOL, omit=True),
                        F("NetworkUnavailable", "networkUnavailable", BOOL, omit=True),
                    ),
                    omit=True,
                ),
            )
        ),
        omit=True,
    ),
)

# -- deployment.go, workload.go --

WORKLOAD_CONDITION = struct(
    "WorkloadCondition",
    F("Type", "type"),
    F("Status", "status"),
    F("Reason", "reason", omit=True),
    F("Message", "message", omit=True),
    F("LastUpdateTime", "lastUpdateTime", omit=True),
    F("LastTransitionTime", "lastTransitionTime", omit=True),
)
WORKLOAD_ROLLOUT = struct(
    "WorkloadRollout",
    F("Phase", "phase"),
    F("Message", "message", omit=True),
    F("Badges", "badges", STRINGS, omit=True),
)
UPDATE_STRATEGY = struct(
    "UpdateStrategy",
    F("Type", "type", omit=True),
    F("Partition", "partition", Ptr(I32), omit=True),
    F("MaxUnavailable", "maxUnavailable", omit=True),
    F("MaxSurge", "maxSurge", omit=True),
)
DEPLOYMENT = struct(
    "Deployment",
    F(
        "Summary",
        "summary",
        struct(
            "DeploymentSummary",
            F("Name", "name"),
            F("Namespace", "namespace"),
            F("Strategy", "strategy"),
            F("Replicas", "replicas", I32),
            F("Updated", "updated", I32),
            F("Ready", "ready", I32),
            F("Available", "available", I32),
            F("Unavailable", "unavailable", I32, omit=True),
            F("Paused", "paused", BOOL, omit=True),
            F("CreatedAt", "createdAt", TIME),
            F("Age", "age"),
            F("Selector", "selector", omit=True),
        ),
    ),
    F(
        "Spec",
        "spec",
        struct(
            "DeploymentSpec",
            F("Replicas", "replicas", Ptr(I32), omit=True),
            F("Selector", "selector", Ptr(LABEL_SELECTOR), omit=True),
            F(
                "Strategy",
                "strategy",
                Ptr(
                    struct(
                        "DeploymentStrategy",
                        F("Type", "type"),
                        F(
                            "RollingUpdate",
                            "rollingUpdate",
                            Ptr(
                                struct(
                                    "RollingUpdateStrategy",
                                    F("MaxUnavailable", "maxUnavailable", omit=True),
                                    F("MaxSurge", "maxSurge", omit=True),
                                )
                            ),
                            omit=True,
                        ),
                    )
                ),
                omit=True,
            ),
            F("MinReadySeconds", "minReadySeconds", I32, omit=True),
            F("RevisionHistoryLimit", "revisionHistoryLimit", Ptr(I32), omit=True),
            F("ProgressDeadlineSeconds", "progressDeadlineSeconds", Ptr(I32), omit=True),
        ),
    ),
    F("Template", "template", POD_TEMPLATE),
    F(
        "Status",
        "status",
        struct(
            "DeploymentStatus",
            F("ObservedGeneration", "observedGeneration", I64, omit=True),
            F("Replicas", "replicas", I32),
            F("UpdatedReplicas", "updatedReplicas", I32, omit=True),
            F("ReadyReplicas", "readyReplicas", I32, omit=True),
            F("AvailableReplicas", "availableReplicas", I32, omit=True),
            F("UnavailableReplicas", "unavailableReplicas", I32, omit=True),
            F("CollisionCount", "collisionCount", Ptr(I32), omit=True),
            F(
                "Conditions",
                "conditions",
                Slice(
                    struct(
                        "DeploymentCondition",
                        F("Type", "type"),
                        F("Status", "status"),
                        F("Reason", "reason", omit=True),
                        F("Message", "message", omit=True),
                        F("LastUpdateTime", "lastUpdateTime", TIME, omit=True),
                        F("LastTransitionTime", "lastTransitionTime", TIME, omit=True),
                    )
                ),
                omit=True,
            ),
        ),
    ),
    F(
        "Rollout",
        "rollout",
        Ptr(
            struct(
                "DeploymentRollout",
                F("Phase", "phase"),
                F("Message", "message", omit=True),
                F("Badges", "badges", STRINGS, omit=True),
            )
        ),
        omit=True,
    ),
    F(
        "ReplicaSets",
        "replicaSets",
        Slice(
            struct(
                "ReplicaSetBrief",
                F("Name", "name"),
                F("Namespace", "namespace"),
                F("Revision", "revision", omit=True),
                F("Replicas", "replicas", I32),
                F("Ready", "ready", I32),
                F("Available", "available", I32),
                F("Image", "image", omit=True),
                F("CreatedAt", "createdAt", TIME),
                F("Age", "age"),
            )
        ),
        omit=True,
    ),
    F("Annotations", "annotations", LABELS, omit=True),
    F("Labels", "labels", LABELS, omit=True),
)
REPLICA_SET = struct(
    "ReplicaSet",
    COMMON_META,
    F("Replicas", "replicas", I32),
    F("ReadyReplicas", "ready_replicas", I32),
    F("AvailableReplicas", "available_replicas", I32),
    F("Selector", "selector", LABELS, omit=True),
)
STATEFUL_SET = struct(
    "StatefulSet",
    F(
        "Summary",
        "summary",
        struct(
            "StatefulSetSummary",
            F("Name", "name"),
            F("Namespace", "namespace"),
            F("Replicas", "replicas", I32),
            F("Ready", "ready", I32),
            F("Current", "current", I32),
            F("Updated", "updated", I32),
            F("Available", "available", I32),
            F("CreatedAt", "createdAt", TIME),
            F("Age", "age"),
            F("ServiceName", "serviceName", omit=True),
            F("Selector", "selector", omit=True),
        ),
    ),
    F(
        "Spec",
        "spec",
        struct(
            "StatefulSetSpec",
            F("Replicas", "replicas", Ptr(I32), omit=True),
            F("ServiceName", "serviceName", omit=True),
            F("PodManagementPolicy", "podManagementPolicy", omit=True),
            F("UpdateStrategy", "updateStrategy", Ptr(UPDATE_STRATEGY), omit=True),
            F("RevisionHistoryLimit", "revisionHistoryLimit", Ptr(I32), omit=True),
            F("MinReadySeconds", "minReadySeconds", I32, omit=True),
            F(
                "PersistentVolumeClaimRetentionPolicy",
                "persistentVolumeClaimRetentionPolicy",
                Ptr(
                    struct(
                        "PVCRetentionPolicy",
                        F("WhenDeleted", "whenDeleted", omit=True),
                        F("WhenScaled", "whenScaled", omit=True),
                    )
                ),
                omit=True,
            ),
            F("Selector", "selector", Ptr(LABEL_SELECTOR), omit=True),
            F(
                "VolumeClaimTemplates",
                "volumeClaimTemplates",
                Slice(
                    struct(
                        "VolumeClaimTemplate",
                        F("Name", "name"),
                        F("AccessModes", "accessModes", STRINGS, omit=True),
                        F("StorageClass", "storageClass", omit=True),
                        F("Storage", "storage", omit=True),
                        F("Selector", "selector", LABELS, omit=True),
                    )
                ),
                omit=True,
            ),
        ),
    ),
    F("Template", "template", POD_TEMPLATE),
    F(
        "Status",
        "status",
        struct(
            "StatefulSetStatus",
            F("ObservedGeneration", "observedGeneration", I64, omit=True),
            F("Replicas", "replicas", I32),
            F("ReadyReplicas", "readyReplicas", I32, omit=True),
            F("CurrentReplicas", "currentReplicas", I32, omit=True),
            F("UpdatedReplicas", "updatedReplicas", I32, omit=True),
            F("AvailableReplicas", "availableReplicas", I32, omit=True),
            F("CurrentRevision", "currentRevision", omit=True),
            F("UpdateRevision", "updateRevision", omit=True),
            F("CollisionCount", "collisionCount", Ptr(I32), omit=True),
            F("Conditions", "conditions", Slice(WORKLOAD_CONDITION), omit=True),
        ),
    ),
    F("Rollout", "rollout", Ptr(WORKLOAD_ROLLOUT), omit=True),
    F("Labels", "labels", LABELS, omit=True),
    F("Annotations", "annotations", LABELS, omit=True),
)
DAEMON_SET = struct(
    "DaemonSet",
    F(
        "Summary",
        "summary",
        struct(
            "DaemonSetSummary",
            F("Name", "name"),
            F("Namespace", "namespace"),
            F("DesiredNumberScheduled", "desiredNumberScheduled", I32),
            F("CurrentNumberScheduled", "currentNumberScheduled", I32),
            F("NumberReady", "numberReady", I32),
            F("NumberAvailable", "numberAvailable", I32),
            F("NumberUnavailable", "numberUnavailable", I32),
            F("NumberMisscheduled", "numberMisscheduled", I32),
            F("UpdatedNumberScheduled", "updatedNumberScheduled", I32),
            F("CreatedAt", "createdAt", TIME),
            F("Age", "age"),
            F("Selector", "selector", omit=True),
        ),
    ),
    F(
        "Spec",
        "spec",
        struct(
            "DaemonSetSpec",
            F("UpdateStrategy", "updateStrategy", Ptr(UPDATE_STRATEGY), omit=True),
            F("MinReadySeconds", "minReadySeconds", I32, omit=True),
            F("RevisionHistoryLimit", "revisionHistoryLimit", Ptr(I32), omit=True),
            F("Selector", "selector", Ptr(LABEL_SELECTOR), omit=True),
        ),
    ),
    F("Template", "template", POD_TEMPLATE),
    F(
        "Status",
        "status",
        struct(
            "DaemonSetStatus",
            F("ObservedGeneration", "observedGeneration", I64, omit=True),
            F("DesiredNumberScheduled", "desiredNumberScheduled", I32),
            F("CurrentNumberScheduled", "currentNumberScheduled", I32),
            F("NumberReady", "numberReady", I32),
            F("NumberAvailable", "numberAvailable", I32, omit=True),
            F("NumberUnavailable", "numberUnavailable", I32, omit=True),
            F("NumberMisscheduled", "numberMisscheduled", I32),
            F("UpdatedNumberScheduled", "updatedNumberScheduled", I32, omit=True),
            F("CollisionCount", "collisionCount", Ptr(I32), omit=True),
            F("Conditions", "conditions", Slice(WORKLOAD_CONDITION), omit=True),
        ),
    ),
    F("Rollout", "rollout", Ptr(WORKLOAD_ROLLOUT), omit=True),
    F("Labels", "labels", LABELS, omit=True),
    F("Annotations", "annotations", LABELS, omit=True),
)

# -- service.go --

SERVICE = struct(
    "Service",
    F(
        "Summary",
        "summary",
        struct(
            "ServiceSummary",
            F("Name", "name"),
            F("Namespace", "namespace"),
            F("Type", "type"),
            F("CreatedAt", "createdAt", TIME),
            F("Age", "age"),
            F("PortsCount", "portsCount", INT),
            F("HasSelector", "hasSelector", BOOL),
            F("Badges", "badges", STRINGS, omit=True),
            F("ClusterIP", "clusterIP", omit=True),
            F("ExternalName", "externalName", omit=True),
        ),
    ),
    F(
        "Spec",
        "spec",
        struct(
            "ServiceSpec",
            F("Type", "type"),
            F("SessionAffinity", "sessionAffinity", omit=True),
            F(
                "SessionAffinityTimeoutSeconds",
                "sessionAffinityTimeoutSeconds",
                Ptr(I32),
                omit=True,
            ),
            F("ExternalTrafficPolicy", "externalTrafficPolicy", omit=True),
            F("InternalTrafficPolicy", "internalTrafficPolicy", omit=True),
            F("IPFamilies", "ipFamilies", STRINGS, omit=True),
            F("IPFamilyPolicy", "ipFamilyPolicy", omit=True),
            F("ClusterIPs", "clusterIPs", STRINGS, omit=True),
            F("ExternalIPs", "externalIPs", STRINGS, omit=True),
            F("LoadBalancerClass", "loadBalancerClass", omit=True),
            F("LoadBalancerSourceRanges", "loadBalancerSourceRanges", STRINGS, omit=True),
            F("PublishNotReadyAddresses", "publishNotReadyAddresses", BOOL, omit=True),
            F(
                "AllocateLoadBalancerNodePorts",
                "allocateLoadBalancerNodePorts",
                Ptr(BOOL),
                omit=True,
            ),
            F("HealthCheckNodePort", "healthCheckNodePort", I32, omit=True),
            F("ExternalName", "externalName", omit=True),
        ),
    ),
    F(
        "Ports",
        "ports",
        Slice(
            struct(
                "ServicePort",
                F("Name", "name", omit=True),
                F("Protocol", "protocol"),
                F("Port", "port", I32),
                F("TargetPort", "targetPort"),
                F("NodePort", "nodePort", I32, omit=True),
                F("AppProtocol", "appProtocol", omit=True),
            )
        ),
        omit=True,
    ),
    F("Selector", "selector", LABELS, omit=True),
    F(
        "Network",
        "network",
        struct(
            "ServiceNetwork",
            F("ClusterIPs", "clusterIPs", STRINGS, omit=True),
            F("ExternalIPs", "externalIPs", STRINGS, omit=True),
            F("LoadBalancerIngress", "loadBalancerIngress", STRINGS, omit=True),
            F("IPFamilies", "ipFamilies", STRINGS, omit=True),
            F("IPFamilyPolicy", "ipFamilyPolicy", omit=True),
            F("ExternalTrafficPolicy", "externalTrafficPolicy", omit=True),
            F("InternalTrafficPolicy", "internalTrafficPolicy", omit=True),
        ),
    ),
    F(
        "Backends",
        "backends",
        Ptr(
            struct(
                "ServiceBackends",
                F(
                    "Summary",
                    "summary",
                    struct(
                        "BackendSummary",
                        F("Ready", "ready", INT),
                        F("NotReady", "notReady", INT),
                        F("Total", "total", INT),
                        F("Slices", "slices", INT, omit=True),
                        F("Updated", "updated", TIME, omit=True),
                    ),
                ),
                F(
                    "Ports",
                    "ports",
                    Slice(
                        struct(
                            "EndpointPort",
                            F("Name", "name", omit=True),
                            F("Port", "port", I32),
                            F("Protocol", "protocol"),
                            F("AppProtocol", "appProtocol", omit=True),
                        )
                    ),
                    omit=True,
                ),
                F(
                    "Endpoints",
                    "endpoints",
                    Slice(
                        struct(
                            "BackendEndpoint",
                            F("Address", "address"),
                            F("Ready", "ready", BOOL),
                            F("NodeName", "nodeName", omit=True),
                            F("Zone", "zone", omit=True),
                            F(
                                "TargetRef",
                                "targetRef",
                                Ptr(
                                    struct(
                                        "K8sRef",
                                        F("Kind", "kind", omit=True),
                                        F("Namespace", "namespace", omit=True),
                                        F("Name", "name", omit=True),
                                        F("UID", "uid", omit=True),
                                    )
                                ),
                                omit=True,
                            ),
                        )
                    ),
                    omit=True,
                ),
            )
        ),
        omit=True,
    ),
    F("Labels", "labels", LABELS, omit=True),
    F("Annotations", "annotations", LABELS, omit=True),
)
INGRESS_BACKEND = struct(
    "IngressBackend",
    F("Type", "type"),
    F(
        "Service",
        "service",
        Ptr(
            struct(
                "IngressServiceBackend",
                F("Name", "name"),
                F("PortName", "portName", omit=True),
                F("PortNumber", "portNumber", I32, omit=True),
            )
        ),
        omit=True,
    ),
    F(
        "Resource",
        "resource",
        Ptr(
            struct(
                "IngressResourceRef",
                F("APIGroup", "apiGroup", omit=True),
                F("Kind", "kind"),
                F("Name", "name"),
                F("Namespace", "namespace", omit=True),
            )
        ),
        omit=True,
    ),
)
INGRESS = struct(
    "Ingress",
    F(
        "Summary",
        "summary",
        struct(
            "IngressSummary",
            F("Name", "name"),
            F("Namespace", "namespace"),
            F("CreatedAt", "createdAt", TIME),
            F("Age", "age"),
            F("IngressClass", "ingressClass", omit=True),
            F("HostsCount", "hostsCount", INT),
            F("PathsCount", "pathsCount", INT),
            F("TLSEnabled", "tlsEnabled", BOOL),
            F("Hosts", "hosts", STRINGS, omit=True),
        ),
    ),
    F(
        "Spec",
        "spec",
        struct(
            "IngressSpec",
            F("IngressClassName", "ingressClassName", omit=True),
            F("DefaultBackend", "defaultBackend", Ptr(INGRESS_BACKEND), omit=True),
            F(
                "Rules",
                "rules",
                Slice(
                    struct(
                        "IngressRule",
                        F("Host", "host", omit=True),
                        F(
                            "Paths",
                            "paths",
                            Slice(
                                struct(
                                    "IngressPath",
                                    F("Path", "path"),
                                    F("PathType", "pathType"),
                                    F("Backend", "backend", Ptr(INGRESS_BACKEND), omit=True),
                                )
                            ),
                        ),
                    )
                ),
                omit=True,
            ),
            F(
                "TLS",
                "tls",
                Slice(
                    struct(
                        "IngressTLS",
                        F("Hosts", "hosts", STRINGS, omit=True),
                        F("SecretName", "secretName", omit=True),
                    )
                ),
                omit=True,
            ),
        ),
    ),
    F(
        "Status",
        "status",
        struct("IngressStatus", F("LoadBalancer", "loadBalancer", STRINGS, omit=True)),
    ),
    F("Labels", "labels", LABELS, omit=True),
    F("Annotations", "annotations", LABELS, omit=True),
)

# -- policy.go, namespace.go, job.go, storage.go, event.go --

RESOURCE_QUOTA = struct(
    "ResourceQuota",
    F("Name", "name"),
    F("Namespace", "namespace"),
    F("CreatedAt", "createdAt"),
    F("Age", "age"),
    F("Scopes", "scopes", STRINGS, omit=True),
    F("Hard", "hard", LABELS, omit=True),
    F("Used", "used", LABELS, omit=True),
)
LIMIT_RANGE = struct(
    "LimitRange",
    F("Name", "name"),
    F("Namespace", "namespace"),
    F("CreatedAt", "createdAt"),
    F("Age", "age"),
    F(
        "Items",
        "items",
        Slice(
            struct(
                "LimitRangeItem",
                F("Type", "type"),
                F("Default", "default", LABELS, omit=True),
                F("DefaultRequest", "defaultRequest", LABELS, omit=True),
                F("Max", "max", LABELS, omit=True),
                F("Min", "min", LABELS, omit=True),
                F("MaxLimitRequestRatio", "maxLimitRequestRatio", LABELS, omit=True),
            )
        ),
    ),
)
NETWORK_POLICY = struct(
    "NetworkPolicy",
    F("Name", "name"),
    F("Namespace", "namespace"),
    F("CreatedAt", "createdAt"),
    F("Age", "age"),
    F("PodSelector", "podSelector", omit=True),
    F("PolicyTypes", "policyTypes", STRINGS, omit=True),
    F("IngressRuleCount", "ingressRuleCount", INT),
    F("EgressRuleCount", "egressRuleCount", INT),
)
SERVICE_ACCOUNT = struct(
    "ServiceAccount",
    F("Name", "name"),
    F("Namespace", "namespace"),
    F("CreatedAt", "createdAt"),
    F("Age", "age"),
    F("SecretsCount", "secretsCount", INT),
    F("ImagePullSecretsCount", "imagePullSecretsCount", INT),
    F("AutomountServiceAccountToken", "automountServiceAccountToken", Ptr(BOOL), omit=True),
)
# (Go field, JSON key) of NamespaceResources' 18 counts.
NAMESPACE_RESOURCES = tuple(
    ("PVCs" if key == "pvcs" else key[0].upper() + key[1:], key)
    for key in (
        "pods podsRunning podsPending podsFailed podsSucceeded deployments statefulSets"
        " daemonSets replicaSets jobs cronJobs services ingresses networkPolicies configMaps"
        " secrets serviceAccounts pvcs"
    ).split()
)
NAMESPACE = struct(
    "Namespace",
    F(
        "Summary",
        "summary",
        struct("NamespaceSummary", F("Name", "name"), F("CreatedAt", "createdAt"), F("Age", "age")),
    ),
    F("Status", "status", struct("NamespaceStatus", F("Phase", "phase"))),
    F(
        "Resources",
        "resources",
        struct("NamespaceResources", *(F(go, key, INT) for go, key in NAMESPACE_RESOURCES)),
    ),
    F("Quotas", "quotas", Slice(RESOURCE_QUOTA), omit=True),
    F("LimitRanges", "limitRanges", Slice(LIMIT_RANGE), omit=True),
    F("Labels", "labels", LABELS, omit=True),
    F("Annotations", "annotations", LABELS, omit=True),
)
CONFIG_MAP = struct("ConfigMap", COMMON_META, F("DataKeys", "data_keys", STRINGS, omit=True))
SECRET = struct(
    "Secret", COMMON_META, F("Type", "type"), F("DataKeys", "data_keys", STRINGS, omit=True)
)
JOB = struct(
    "Job",
    COMMON_META,
    F("Active", "active", I32),
    F("Succeeded", "succeeded", I32),
    F("Failed", "failed", I32),
    F("Complete", "complete", BOOL),
    F("StartTime", "start_time", Ptr(TIME), omit=True),
    F("FinishTime", "finish_time", Ptr(TIME), omit=True),
)
CRON_JOB = struct(
    "CronJob",
    COMMON_META,
    F("Schedule", "schedule"),
    F("Suspend", "suspend", BOOL),
    F("ActiveJobs", "active_jobs", I32),
    F("LastScheduleTime", "last_schedule_time", Ptr(TIME), omit=True),
    F("LastSuccessfulTime", "last_successful_time", Ptr(TIME), omit=True),
)
PERSISTENT_VOLUME = struct(
    "PersistentVolume",
    COMMON_META,
    F("Capacity", "capacity"),
    F("Phase", "phase"),
    F("StorageClass", "storage_class", omit=True),
    F("AccessModes", "access_modes", STRINGS, omit=True),
    F("ReclaimPolicy", "reclaim_policy", omit=True),
)
PERSISTENT_VOLUME_CLAIM = struct(
    "PersistentVolumeClaim",
    COMMON_META,
    F("Phase", "phase"),
    F("VolumeName", "volume_name"),
    F("StorageClass", "storage_class", omit=True),
    F("AccessModes", "access_modes", STRINGS, omit=True),
    F("RequestedCapacity", "requested_capacity", omit=True),
    F("ActualCapacity", "actual_capacity", omit=True),
)
EVENT = struct(
    "Event",
    COMMON_META,
    F("Type", "type"),
    F("Reason", "reason"),
    F("Message", "message"),
    F("Source", "source", omit=True),
    F(
        "InvolvedObject",
        "involved_object",
        struct(
            "ResourceRef",
            F("Kind", "kind"),
            F("Namespace", "namespace", omit=True),
            F("Name", "name"),
            F("UID", "uid", omit=True),
        ),
    ),
    F("Count", "count", I32),
    F("FirstTimestamp", "first_timestamp", TIME),
    F("LastTimestamp", "last_timestamp", TIME),
)
# (Go field, JSON key) of ClusterSummary's 15 counts.
SUMMARY = (
    ("TotalNodes", "total_nodes"),
    ("ReadyNodes", "ready_nodes"),
    ("TotalPods", "total_pods"),
    ("RunningPods", "running_pods"),
    ("PendingPods", "pending_pods"),
    ("FailedPods", "failed_pods"),
    ("TotalDeployments", "total_deployments"),
    ("HealthyDeployments", "healthy_deployments"),
    ("TotalStatefulSets", "total_statefulsets"),
    ("TotalDaemonSets", "total_daemonsets"),
    ("TotalServices", "total_services"),
    ("TotalIngresses", "total_ingresses"),
    ("TotalNamespaces", "total_namespaces"),
    ("TotalEvents", "total_events"),
    ("WarningEvents", "warning_events"),
)
CLUSTER_SUMMARY = struct("ClusterSummary", *(F(go, key, INT) for go, key in SUMMARY))

# (Go field, JSON key, item struct, omitempty) of the snapshot's lists, in Go's order.
LISTS = (
    ("Pods", "pods", POD, False),
    ("Deployments", "deployments", DEPLOYMENT, False),
    ("StatefulSets", "statefulsets", STATEFUL_SET, False),
    ("DaemonSets", "daemonsets", DAEMON_SET, False),
    ("ReplicaSets", "replicasets", REPLICA_SET, True),
    ("Jobs", "jobs", JOB, True),
    ("CronJobs", "cronjobs", CRON_JOB, True),
    ("Services", "services", SERVICE, False),
    ("Ingresses", "ingresses", INGRESS, False),
    ("Namespaces", "namespaces", NAMESPACE, False),
    ("ConfigMaps", "configmaps", CONFIG_MAP, False),
    ("Secrets", "secrets", SECRET, True),
    ("ResourceQuotas", "resourceQuotas", RESOURCE_QUOTA, True),
    ("LimitRanges", "limitRanges", LIMIT_RANGE, True),
    ("NetworkPolicies", "networkPolicies", NETWORK_POLICY, True),
    ("ServiceAccounts", "serviceAccounts", SERVICE_ACCOUNT, True),
    ("PersistentVolumes", "pvs", PERSISTENT_VOLUME, True),
    ("PersistentVolumeClaims", "pvcs", PERSISTENT_VOLUME_CLAIM, True),
    ("Nodes", "nodes", NODE, False),
    ("Events", "events", EVENT, False),
)
CLUSTER_SNAPSHOT = struct(
    "ClusterSnapshot",
    F("ClusterID", "cluster_id"),
    F("FetchedAt", "fetched_at", TIME),
    *(F(go, key, Slice(item), omit=omit) for go, key, item, omit in LISTS),
    F("Summary", "summary", CLUSTER_SUMMARY),
)
