package ecsx

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// moto reports health only per container; ECS reports it per task too. The
// task-level value wins when present, otherwise containers are aggregated.
func TestTaskHealth(t *testing.T) {
	t.Parallel()
	c := func(h types.HealthStatus) types.Container { return types.Container{HealthStatus: h} }
	for _, tc := range []struct {
		task types.Task
		want string
	}{
		{types.Task{HealthStatus: types.HealthStatusUnknown, Containers: []types.Container{c("HEALTHY")}}, "UNKNOWN"},
		{types.Task{Containers: []types.Container{c("HEALTHY"), c("HEALTHY")}}, "HEALTHY"},
		{types.Task{Containers: []types.Container{c("HEALTHY"), c("UNKNOWN")}}, "UNKNOWN"},
		{types.Task{Containers: []types.Container{c("UNKNOWN"), c("UNHEALTHY")}}, "UNHEALTHY"},
		{types.Task{}, ""},
	} {
		if got := fromSDK(tc.task).Health; got != tc.want {
			t.Errorf("health of %+v = %q, want %q", tc.task, got, tc.want)
		}
	}
}
