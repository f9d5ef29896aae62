// Work for the office's main thread, and work for the office's end.
//
// postToMainThread() runs a task on the main thread (the thread that owns the
// document models) through com.sun.star.awt.AsyncCallback, from any thread:
// UNO calls from a remote client (a test, a macro over a socket) arrive on a
// bridge thread, workers finish on their own threads. Every task runs inside a
// catch-all: nothing escapes into the office's event loop.
//
// mainThreadTask() wraps a task in the same catch-all, as a callback for an
// AsyncCallback the caller holds itself (posted with addCallback()).
//
// whenOfficeTerminates() runs a task when the office terminates
// (frame::XTerminateListener), on the thread that terminates it: the place to
// join threads and release UNO references. Tasks posted afterwards are dropped.
//
// Thread-safe.
#pragma once

#include <functional>

#include <com/sun/star/awt/XCallback.hpp>
#include <com/sun/star/uno/XComponentContext.hpp>

namespace saleskpi::addin {

// False when the task was not posted (the office is terminating).
bool postToMainThread(const css::uno::Reference<css::uno::XComponentContext>& context, std::function<void()> task);

// A callback that runs task when the main thread calls it, catching everything.
css::uno::Reference<css::awt::XCallback> mainThreadTask(std::function<void()> task);

// True on the office's main thread. A caller there that waits for a posted
// task would wait forever (DispatchHelper does, for a dispatch's outcome).
bool onMainThread();

void whenOfficeTerminates(const css::uno::Reference<css::uno::XComponentContext>& context, std::function<void()> task);

}  // namespace saleskpi::addin
