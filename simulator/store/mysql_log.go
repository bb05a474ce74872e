package store

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"

	vtlog "github.com/dolthub/vitess/go/vt/log"
	"github.com/sirupsen/logrus"
)

// The engine (go-mysql-server) logs through logrus — a session's logger and
// the process-wide standard logger — and its wire layer (vitess) through
// package-level print functions. Both are re-emitted as records of the
// store's slog logger with component=mysql, so they follow the project's
// --log-level and --log-format; nothing is printed in the engine's own
// format.

// bridgeEngineLogs routes the engine's logs to logger while the listener
// runs. It returns the logrus entry for the listener's sessions and a
// release function for when the listener stops. Lines the engine writes to
// its process-wide logger go to the most recently started listener still
// running.
func bridgeEngineLogs(logger *slog.Logger) (*logrus.Entry, func()) {
	installGlobalBridge()
	l := logrus.New()
	l.SetOutput(io.Discard)
	l.SetFormatter(discardFormatter{})
	l.SetLevel(logrusLevel(logger))
	l.AddHook(slogHook{get: func() *slog.Logger { return logger }})

	active.mu.Lock()
	active.loggers = append(active.loggers, logger)
	logrus.SetLevel(logrusLevel(logger))
	active.mu.Unlock()
	var once sync.Once
	return logrus.NewEntry(l), func() {
		once.Do(func() {
			active.mu.Lock()
			defer active.mu.Unlock()
			for i := len(active.loggers) - 1; i >= 0; i-- {
				if active.loggers[i] == logger {
					active.loggers = append(active.loggers[:i], active.loggers[i+1:]...)
					break
				}
			}
		})
	}
}

var active struct {
	mu      sync.Mutex
	loggers []*slog.Logger
}

func currentLogger() *slog.Logger {
	active.mu.Lock()
	defer active.mu.Unlock()
	if n := len(active.loggers); n > 0 {
		return active.loggers[n-1]
	}
	return nil
}

var globalBridge sync.Once

func installGlobalBridge() {
	globalBridge.Do(func() {
		std := logrus.StandardLogger()
		std.SetOutput(io.Discard)
		std.SetFormatter(discardFormatter{})
		std.AddHook(slogHook{get: currentLogger})
		emit := func(lvl slog.Level) func(...any) {
			return func(v ...any) { logTo(currentLogger(), lvl, fmt.Sprint(v...), nil) }
		}
		emitf := func(lvl slog.Level) func(string, ...any) {
			return func(format string, v ...any) { logTo(currentLogger(), lvl, fmt.Sprintf(format, v...), nil) }
		}
		vtlog.Info, vtlog.Infof = emit(slog.LevelInfo), emitf(slog.LevelInfo)
		vtlog.Warning, vtlog.Warningf = emit(slog.LevelWarn), emitf(slog.LevelWarn)
		vtlog.Error, vtlog.Errorf = emit(slog.LevelError), emitf(slog.LevelError)
	})
}

// logrusLevel is the logrus level that produces what logger will keep
// (logrus skips building entries below its level).
func logrusLevel(logger *slog.Logger) logrus.Level {
	ctx := context.Background()
	switch {
	case logger.Enabled(ctx, slog.LevelDebug):
		return logrus.DebugLevel
	case logger.Enabled(ctx, slog.LevelInfo):
		return logrus.InfoLevel
	case logger.Enabled(ctx, slog.LevelWarn):
		return logrus.WarnLevel
	}
	return logrus.ErrorLevel
}

type slogHook struct{ get func() *slog.Logger }

func (slogHook) Levels() []logrus.Level { return logrus.AllLevels }

func (h slogHook) Fire(e *logrus.Entry) error {
	var lvl slog.Level
	switch e.Level {
	case logrus.PanicLevel, logrus.FatalLevel, logrus.ErrorLevel:
		lvl = slog.LevelError
	case logrus.WarnLevel:
		lvl = slog.LevelWarn
	case logrus.InfoLevel:
		lvl = slog.LevelInfo
	default:
		lvl = slog.LevelDebug
	}
	logTo(h.get(), lvl, e.Message, e.Data)
	return nil
}

func logTo(logger *slog.Logger, lvl slog.Level, msg string, data logrus.Fields) {
	if logger == nil || !logger.Enabled(context.Background(), lvl) {
		return
	}
	attrs := make([]slog.Attr, 0, len(data)+1)
	attrs = append(attrs, slog.String("component", "mysql"))
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch v := data[k].(type) {
		case error:
			attrs = append(attrs, slog.String(k, v.Error()))
		default:
			attrs = append(attrs, slog.Any(k, v))
		}
	}
	logger.LogAttrs(context.Background(), lvl, msg, attrs...)
}

type discardFormatter struct{}

func (discardFormatter) Format(*logrus.Entry) ([]byte, error) { return nil, nil }
