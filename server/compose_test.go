package server_test

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	yaml "sigs.k8s.io/yaml/goyaml.v3"
)

// composeFile is the part of docker-compose.yml the cluster relies on.
type composeFile struct {
	Extension map[string]any            `yaml:"x-chronos"`
	Services  map[string]composeService `yaml:"services"`
	Volumes   map[string]any            `yaml:"volumes"`
}

type composeService struct {
	Build     string   `yaml:"build"`
	Image     string   `yaml:"image"`
	Restart   string   `yaml:"restart"`
	Hostname  string   `yaml:"hostname"`
	Command   []string `yaml:"command"`
	Ports     []string `yaml:"ports"`
	Volumes   []string `yaml:"volumes"`
	DependsOn []string `yaml:"depends_on"`
	// Environment carries the password and the cluster secret, which nodes
	// on non-loopback addresses require.
	Environment map[string]string `yaml:"environment"`
}

// TestComposeFile parses docker-compose.yml (no Docker engine runs here)
// and checks that its three nodes use the commands the cluster tests run
// on loopback, with each node addressed by its service name.
func TestComposeFile(t *testing.T) {
	data, err := os.ReadFile("../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f composeFile
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	ids := []string{"node1", "node2", "node3"}
	addrs := map[string]string{}
	for i, id := range ids {
		addrs[id] = fmt.Sprintf("%s:%d", id, 8001+i)
	}
	var names []string
	for name := range f.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	if !slices.Equal(names, ids) {
		t.Fatalf("services %v, want %v", names, ids)
	}
	image := f.Services["node1"].Image
	for i, id := range ids {
		s := f.Services[id]
		want := append([]string{"node"}, nodeArgs(id, ids, addrs, "/data")...)
		if !slices.Equal(s.Command, want) {
			t.Errorf("%s: command\n%q\nwant the tested one\n%q", id, s.Command, want)
		}
		if s.Build != "." || s.Image == "" || s.Image != image {
			t.Errorf("%s: build %q, image %q: every node builds the same image from the Dockerfile", id, s.Build, s.Image)
		}
		if s.Hostname != id {
			t.Errorf("%s: hostname %q; --address %s must resolve to the node itself", id, s.Hostname, addrs[id])
		}
		port := strings.Split(addrs[id], ":")[1]
		if !slices.Equal(s.Ports, []string{port + ":" + port}) {
			t.Errorf("%s: ports %v, want %s published as itself", id, s.Ports, port)
		}
		if len(s.Volumes) != 1 || !strings.HasSuffix(s.Volumes[0], ":/data") {
			t.Errorf("%s: volumes %v, want one volume at /data", id, s.Volumes)
		} else if vol := strings.TrimSuffix(s.Volumes[0], ":/data"); !hasKey(f.Volumes, vol) {
			t.Errorf("%s: volume %q is not declared", id, vol)
		}
		if !slices.Equal(s.DependsOn, ids[:i]) {
			t.Errorf("%s: depends_on %v, want %v (the members it joins through)", id, s.DependsOn, ids[:i])
		}
		for _, v := range []string{"CHRONOS_PASSWORD", "CHRONOS_CLUSTER_SECRET"} {
			if !strings.HasPrefix(s.Environment[v], "${"+v+":?") {
				t.Errorf("%s: environment %s = %q, want it required from the caller's environment", id, v, s.Environment[v])
			}
		}
		if s.Restart == "" {
			t.Errorf("%s: no restart policy", id)
		}
	}
}

func hasKey(m map[string]any, k string) bool {
	_, ok := m[k]
	return ok
}

// TestDockerfile checks the Dockerfile's build image follows go.mod's Go
// version and that the image runs the chronos command built from
// ./cmd/chronos.
func TestDockerfile(t *testing.T) {
	df, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goLine := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if goLine == nil {
		t.Fatal("go.mod has no go line")
	}
	from := regexp.MustCompile(`(?m)^FROM golang:(\S+) AS build$`).FindSubmatch(df)
	if from == nil || string(from[1]) != string(goLine[1]) {
		t.Errorf("the build stage should be FROM golang:%s AS build (go.mod says go %s)", goLine[1], goLine[1])
	}
	for _, want := range []string{
		"go build", "./cmd/chronos", "CGO_ENABLED=0",
		"COPY --from=build /out/chronos /usr/local/bin/chronos",
		`ENTRYPOINT ["chronos"]`, "VOLUME /data",
	} {
		if !bytes.Contains(df, []byte(want)) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
}

// TestComposeTLSOverlay checks that docs/docker-compose.tls.yml keeps each
// node's tested command and adds the TLS flags with that node's own
// certificate, the CA and the mounted certificate directory.
func TestComposeTLSOverlay(t *testing.T) {
	data, err := os.ReadFile("../docs/docker-compose.tls.yml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
			Volumes []string `yaml:"volumes"`
		} `yaml:"services"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("docs/docker-compose.tls.yml: %v", err)
	}
	ids := []string{"node1", "node2", "node3"}
	addrs := map[string]string{}
	for i, id := range ids {
		addrs[id] = fmt.Sprintf("%s:%d", id, 8001+i)
	}
	for _, id := range ids {
		s, ok := f.Services[id]
		if !ok {
			t.Fatalf("service %s missing", id)
		}
		want := append([]string{"node"}, nodeArgs(id, ids, addrs, "/data")...)
		want = append(want, "--tls-cert", "/certs/"+id+".crt", "--tls-key", "/certs/"+id+".key",
			"--peer-ca", "/certs/ca.crt", "--tls-required")
		if !slices.Equal(s.Command, want) {
			t.Errorf("%s: command\n%q\nwant\n%q", id, s.Command, want)
		}
		if !slices.Contains(s.Volumes, "./certs:/certs:ro") || !slices.Contains(s.Volumes, id+"-data:/data") {
			t.Errorf("%s: volumes %v, want its data volume and ./certs read-only", id, s.Volumes)
		}
	}
}
