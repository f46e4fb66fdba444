module fixture

go 1.26

require (
	github.com/containerd/log v0.1.0
	github.com/go-logr/logr v1.4.2
	github.com/rs/zerolog v1.33.0
	github.com/sirupsen/logrus v1.9.3
	go.opencensus.io v0.24.0
	go.opentelemetry.io/otel/trace v1.30.0
	golang.org/x/sync v0.10.0
	k8s.io/klog/v2 v2.130.1
)

replace (
	github.com/containerd/log => ./_stubs/containerdlog
	github.com/go-logr/logr => ./_stubs/logr
	github.com/rs/zerolog => ./_stubs/zerolog
	github.com/sirupsen/logrus => ./_stubs/logrus
	go.opencensus.io => ./_stubs/opencensus
	go.opentelemetry.io/otel/trace => ./_stubs/oteltrace
	golang.org/x/sync => ./_stubs/xsync
	k8s.io/klog/v2 => ./_stubs/klog
)
