dnl CONTRAST ONLY -- never applied: the way the ports would otherwise have
dnl to be declared. A pod must list every UDP port it opens; Kubernetes has
dnl no port ranges, so the range is generated, one entry per port:
dnl   m4 analytics-hostport.yaml.m4 > analytics-hostport.yaml
dnl Why it fails under replicas: a hostPort can be held by one pod per node,
dnl so the scheduler places at most ONE replica of this Deployment per node
dnl (the others stay Pending: "didn't have free ports for the requested pod
dnl ports"), and every replica still binds the SAME 5004/5005 -- the
dnl pipeline text is one for all. Declaring 27 pairs does not help: all 27
dnl are reserved by the one replica that got the node. A Service in front
dnl (NodePort/LoadBalancer) NATs RTP to one endpoint per flow, breaks the
dnl RTCP pairing (the camera's reports come from another port), and still
dnl needs each replica's own port behind it.
define(`forloop', `pushdef(`$1', `$2')_forloop($@)popdef(`$1')')dnl
define(`_forloop', `$4`'ifelse($1, `$3', `', `define(`$1', incr($1))$0($@)')')dnl
apiVersion: apps/v1
kind: Deployment
metadata:
  name: analytics-hostport
spec:
  replicas: 4
  selector:
    matchLabels:
      app: analytics-hostport
  template:
    metadata:
      labels:
        app: analytics-hostport
    spec:
      containers:
        - name: analytics
          image: localhost/hostnetrtp:0.1.0
          ports:
forloop(`port', 32546, 32599, `            - containerPort: port
              hostPort: port
              protocol: UDP
')dnl
