// Package ecsx finds, scales and waits for the tasks of one ECS service.
//
// It polls instead of using the SDK's TasksRunning/TasksStopped waiters: those
// take fixed task ARNs, while a service's task does not exist when the wait
// starts and may be replaced during it; their failure says only "waiter state
// transitioned to Failure" where a user needs the stoppedReason; and they do
// not look at container health.
package ecsx

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	"github.com/aws/aws-sdk-go-v2/service/ecs/types"
)

// API is the part of the ECS client this package uses.
type API interface {
	ListTasks(context.Context, *ecs.ListTasksInput, ...func(*ecs.Options)) (*ecs.ListTasksOutput, error)
	DescribeTasks(context.Context, *ecs.DescribeTasksInput, ...func(*ecs.Options)) (*ecs.DescribeTasksOutput, error)
	DescribeServices(context.Context, *ecs.DescribeServicesInput, ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	UpdateService(context.Context, *ecs.UpdateServiceInput, ...func(*ecs.Options)) (*ecs.UpdateServiceOutput, error)
	DescribeTaskDefinition(context.Context, *ecs.DescribeTaskDefinitionInput, ...func(*ecs.Options)) (*ecs.DescribeTaskDefinitionOutput, error)
}

// Task is what a session needs to know about one task.
type Task struct {
	ARN            string
	TaskDefinition string
	LastStatus     string // PROVISIONING, PENDING, ACTIVATING, RUNNING, ..., STOPPED
	DesiredStatus  string // RUNNING or STOPPED
	Health         string // HEALTHY, UNHEALTHY, UNKNOWN ("" when ECS reports none)
	PrivateIP      string // from the ENI attachment; set from PENDING on
	StartedAt      time.Time
	StoppedAt      time.Time
	StoppedReason  string
	// PullStartedAt/PullStoppedAt: the image pull, where ECS reports it (zero otherwise).
	PullStartedAt, PullStoppedAt time.Time
}

// Live reports whether the task is, or is about to be, running.
func (t Task) Live() bool { return t.DesiredStatus == "RUNNING" && t.LastStatus != "STOPPED" }

// ServiceTasks returns every task ECS knows for the service, live and
// recently stopped, oldest first. ListTasks defaults to desiredStatus RUNNING,
// so both statuses are listed. moto ignores serviceName and lists the whole
// cluster, so tasks are kept only when their group is "service:<name>", which
// ECS sets on every service task: the same filter is right on AWS.
func ServiceTasks(ctx context.Context, api API, cluster, service string) ([]Task, error) {
	var arns []string
	for _, status := range []types.DesiredStatus{types.DesiredStatusRunning, types.DesiredStatusStopped} {
		p := ecs.NewListTasksPaginator(api, &ecs.ListTasksInput{
			Cluster: &cluster, ServiceName: &service, DesiredStatus: status,
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, fmt.Errorf("list %s tasks of service %s in cluster %s: %w", strings.ToLower(string(status)), service, cluster, err)
			}
			arns = append(arns, page.TaskArns...)
		}
	}
	arns = dedupe(arns)
	var tasks []Task
	for len(arns) > 0 {
		n := min(len(arns), 100) // DescribeTasks takes at most 100 ARNs
		out, err := api.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: &cluster, Tasks: arns[:n]})
		if err != nil {
			return nil, fmt.Errorf("describe tasks of service %s in cluster %s: %w", service, cluster, err)
		}
		arns = arns[n:]
		for _, t := range out.Tasks {
			if aws.ToString(t.Group) == "service:"+service {
				tasks = append(tasks, fromSDK(t))
			}
		}
	}
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].ARN < tasks[j].ARN })
	sort.SliceStable(tasks, func(i, j int) bool { return tasks[i].StartedAt.Before(tasks[j].StartedAt) })
	return tasks, nil
}

func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := s[:0]
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func fromSDK(t types.Task) Task {
	task := Task{
		ARN:            aws.ToString(t.TaskArn),
		TaskDefinition: aws.ToString(t.TaskDefinitionArn),
		LastStatus:     aws.ToString(t.LastStatus),
		DesiredStatus:  aws.ToString(t.DesiredStatus),
		Health:         string(t.HealthStatus),
		StartedAt:      aws.ToTime(t.StartedAt),
		StoppedAt:      aws.ToTime(t.StoppedAt),
		StoppedReason:  aws.ToString(t.StoppedReason),
		PullStartedAt:  aws.ToTime(t.PullStartedAt),
		PullStoppedAt:  aws.ToTime(t.PullStoppedAt),
	}
	if task.Health == "" {
		// ECS always reports a task-level health (UNKNOWN at least); moto
		// reports only the containers'. Aggregate them the way ECS does:
		// any UNHEALTHY wins, all HEALTHY is HEALTHY.
		task.Health = containerHealth(t.Containers)
	}
	for _, a := range t.Attachments {
		if aws.ToString(a.Type) != "ElasticNetworkInterface" {
			continue
		}
		for _, d := range a.Details {
			if aws.ToString(d.Name) == "privateIPv4Address" {
				task.PrivateIP = aws.ToString(d.Value)
			}
		}
	}
	return task
}

func containerHealth(cs []types.Container) string {
	if len(cs) == 0 {
		return ""
	}
	all := true
	for _, c := range cs {
		switch c.HealthStatus {
		case types.HealthStatusUnhealthy:
			return string(types.HealthStatusUnhealthy)
		case types.HealthStatusHealthy:
		default:
			all = false
		}
	}
	if all {
		return string(types.HealthStatusHealthy)
	}
	return string(types.HealthStatusUnknown)
}

// Scale sets the service's desiredCount to n. It reads the service first and
// changes nothing when the count is already n, so repeating it is free;
// changed reports whether an update was sent.
func Scale(ctx context.Context, api API, cluster, service string, n int) (changed bool, err error) {
	svc, err := describeService(ctx, api, cluster, service)
	if err != nil {
		return false, err
	}
	if int(svc.DesiredCount) == n {
		return false, nil
	}
	if _, err := api.UpdateService(ctx, &ecs.UpdateServiceInput{
		Cluster: &cluster, Service: &service, DesiredCount: aws.Int32(int32(n)),
	}); err != nil {
		return false, fmt.Errorf("scale service %s in cluster %s to %d: %w", service, cluster, n, err)
	}
	return true, nil
}

// DesiredCount reads the service's desiredCount.
func DesiredCount(ctx context.Context, api API, cluster, service string) (int, error) {
	svc, err := describeService(ctx, api, cluster, service)
	if err != nil {
		return 0, err
	}
	return int(svc.DesiredCount), nil
}

// ErrServiceNotFound means the service does not exist or was deleted.
var ErrServiceNotFound = errors.New("ECS service not found")

func describeService(ctx context.Context, api API, cluster, service string) (types.Service, error) {
	out, err := api.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: &cluster, Services: []string{service}})
	if err != nil {
		return types.Service{}, fmt.Errorf("describe service %s in cluster %s: %w", service, cluster, err)
	}
	for _, s := range out.Services {
		if aws.ToString(s.ServiceName) == service || aws.ToString(s.ServiceArn) == service {
			if aws.ToString(s.Status) == "INACTIVE" {
				break
			}
			return s, nil
		}
	}
	return types.Service{}, fmt.Errorf("%w: %s in cluster %s (was the stack deployed to this account and region?)", ErrServiceNotFound, service, cluster)
}
