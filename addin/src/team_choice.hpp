// The team (a manager's code, "*" for everyone) the user last chose in the
// SalesKPI sidebar of a frame, so that commands run in that window offer it
// as their default (SalesKPI ▸ Export statements…).
//
// Thread-safe; frames are held weakly (a closed window's choice is forgotten).
#pragma once

#include <optional>
#include <string>

#include <com/sun/star/frame/XFrame.hpp>

namespace saleskpi::addin {

void rememberSidebarTeam(const css::uno::Reference<css::frame::XFrame>& frame, const std::string& manager);
// nullopt when the frame's sidebar never chose a team.
std::optional<std::string> sidebarTeam(const css::uno::Reference<css::frame::XFrame>& frame);

}  // namespace saleskpi::addin
